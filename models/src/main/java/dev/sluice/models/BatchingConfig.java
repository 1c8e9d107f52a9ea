package dev.sluice.models;

/** Executor batching knobs for one variant (Triton's names): largest batch and longest wait. */
public record BatchingConfig(int maxBatch, double maxDelayMs) {
    public static final BatchingConfig DEFAULT = new BatchingConfig(32, 2.0);

    public BatchingConfig {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max_batch must be >= 1, got " + maxBatch);
        }
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("max_delay_ms must be >= 0, got " + maxDelayMs);
        }
    }
}
