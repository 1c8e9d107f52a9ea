package dev.sluice.decision.policy;

import dev.sluice.models.Variant;

/**
 * Predicts when a new task for a variant would finish: the time to drain the tasks already
 * queued at the variant's profiled batched throughput, plus one batch of the size the queue
 * implies, plus the executor's max batching delay and a fixed pipeline overhead (the Kafka
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
        long queued = Math.max(0, load.queueDepth());
        int batch = (int) Math.min(maxBatch, queued + 1);
        // drain at the profile's full-batch tail, or at the executors' live cost when that is worse
        double perRequestMs = Math.max(v.profile().p99Ms(maxBatch) / maxBatch, load.msPerRequest());
        double drainMs = queued * perRequestMs;
        return overheadMs + v.batching().maxDelayMs() + drainMs + v.profile().p99Ms(batch);
    }
}
