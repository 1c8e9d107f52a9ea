package dev.sluice.decision.batch;

/** A unit of work the batcher can reason about: when it arrived and when it is due (epoch ms). */
public interface Batchable {
    long arrivalMs();

    long deadlineMs();

    /** Higher is more urgent; the batcher clamps it into its configured levels. */
    default int priority() {
        return 0;
    }
}
