package dev.sluice.decision.policy;

import dev.sluice.models.Variant;

/**
 * Predicts when a new task for a variant would finish: the time to drain the tasks queued ahead
 * of it on the replica it lands on ({@link VariantLoad#queueAhead()}: one replica's share, not
 * the sum over replicas) at the variant's profiled batched throughput, plus one batch of the
 * size that queue implies, plus the executor's max batching delay and a fixed pipeline overhead (the Kafka
 * hops). Uses p99 batch latencies: a deadline is a promise about the tail.
 */
public final class LatencyEstimator {
    private final double overheadMs;

    public LatencyEstimator(double overheadMs) {
        if (overheadMs < 0) {
            throw new IllegalArgumentException("overhead must be >= 0");
        }
        this.overheadMs = overheadMs;
    }

    public double overheadMs() {
        return overheadMs;
    }

    public double estimateMs(Variant v, VariantLoad load) {
        int maxBatch = Math.min(v.batching().maxBatch(), v.profile().maxMeasuredBatch());
        double queued = Math.max(0, load.queueAhead());
        int batch = (int) Math.min(maxBatch, Math.ceil(queued) + 1);
        // drain at the profile's full-batch tail, or at the executors' live cost when that is worse
        double perRequestMs = Math.max(v.profile().p99Ms(maxBatch) / maxBatch, load.msPerRequest());
        double drainMs = queued * perRequestMs;
        return overheadMs + v.batching().maxDelayMs() + drainMs + v.profile().p99Ms(batch);
    }
}
