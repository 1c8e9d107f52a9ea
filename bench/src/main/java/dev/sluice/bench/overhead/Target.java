package dev.sluice.bench.overhead;

import java.util.concurrent.CompletableFuture;

/**
 * Something a request can be sent through: the Sluice pipeline or the bare Kafka chain. The
 * measurements ({@link ClosedLoop}, {@link OpenLoop}) time each request themselves; the reply
 * says whether it succeeded and what the model computed.
 */
public interface Target {
    /** Sends one request; the future completes when its final answer is read back. */
    CompletableFuture<Reply> send();

    /**
     * One answer. {@code computeMs} is model compute the answer reports (0 for the bare chain);
     * {@code stages} the pipeline's per-stage latencies, or null.
     */
    record Reply(boolean ok, String problem, double computeMs, Stages stages) {
        public static Reply success(double computeMs, Stages stages) {
            return new Reply(true, null, computeMs, stages);
        }

        public static Reply failure(String problem) {
            return new Reply(false, problem, 0, null);
        }
    }

    /** The pipeline's stage latencies of one request, ms (InferenceResult.latency). */
    record Stages(double ingestMs, double selectMs, double queueMs, double computeMs, double aggregateMs) {}
}
