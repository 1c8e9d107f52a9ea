package dev.sluice.sim;

import dev.sluice.decision.aggregate.StageTimes;
import java.util.List;

/**
 * One simulated request as its client saw it, in the columns of {@code bench policies
 * --requests-csv} (times in ms since the run's measured start, so the two files line up request
 * by request on the same trace and seed).
 *
 * @param receivedMs when the client had its answer; -1 for a request the selector rejected or
 *     read after its deadline (no answer is sent then in the simulator)
 * @param status the result's status ({@code OK}, {@code PARTIAL}, {@code DEADLINE_EXCEEDED},
 *     {@code REJECTED}, ...)
 * @param label the answer's label, -1 without one
 * @param trueLabel the sample's label (0 without per-sample answers)
 * @param latency where the time went, as the aggregator reports it; null without an answer
 */
public record SimOutcome(String policy, long seed, String requestId, long sentMs, long deadlineMs, long receivedMs,
                         String status, boolean onTime, int label, int trueLabel, List<String> variants, StageTimes latency,
                         String reason) {
    public SimOutcome {
        variants = List.copyOf(variants);
    }

    /** Receives every measured request (warm-up excluded) of the runs it wants, from the runs' threads. */
    @FunctionalInterface
    public interface Log {
        void add(SimOutcome outcome);

        /** Whether the run of {@code seed} should report to it (asked once per run); all, unless overridden. */
        default boolean wants(long seed) {
            return true;
        }
    }
}
