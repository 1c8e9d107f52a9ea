package dev.sluice.decision.batch;

/** Expected run time of a batch of n tasks, ms (from the variant's measured profile). */
@FunctionalInterface
public interface BatchLatencyModel {
    double latencyMs(int batchSize);

    static BatchLatencyModel constant(double ms) {
        return n -> ms;
    }
}
