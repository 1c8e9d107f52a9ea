package dev.sluice.decision.batch;

/**
 * Clipper's AIMD batch-size controller, pure: fed the measured latency of each batch, it returns
 * the batch-size limit to use next.
 *
 * <ul>
 *   <li>Over the objective: multiplicative decrease, {@code floor(size * decreaseFactor)}, by at
 *       least one, never below 1. It applies whatever size the slow batch had: like TCP's window,
 *       the limit backs off on any sign of overload.
 *   <li>At or under the objective: additive increase by {@code increase}, never above
 *       {@code maxBatch}, but only after a batch that filled the current limit. A smaller batch
 *       under the objective says nothing about whether a larger one would be, and growing on it
 *       would let the limit run far ahead of any evidence under light load.
 * </ul>
 */
public final class AimdBatchSize {
    private final int maxBatch;
    private final double objectiveMs;
    private final int increase;
    private final double decreaseFactor;
    private int size;

    public AimdBatchSize(int maxBatch, double objectiveMs, int increase, double decreaseFactor, int initial) {
        if (maxBatch < 1 || !(objectiveMs > 0) || increase < 1 || !(decreaseFactor > 0 && decreaseFactor < 1)) {
            throw new IllegalArgumentException("need maxBatch >= 1, objectiveMs > 0, increase >= 1, 0 < decreaseFactor < 1");
        }
        if (initial < 1 || initial > maxBatch) {
            throw new IllegalArgumentException("initial size " + initial + " outside [1, " + maxBatch + "]");
        }
        this.maxBatch = maxBatch;
        this.objectiveMs = objectiveMs;
        this.increase = increase;
        this.decreaseFactor = decreaseFactor;
        this.size = initial;
    }

    public int size() {
        return size;
    }

    /** Feeds one batch of {@code batchSize} tasks that took {@code latencyMs}; returns the new limit. */
    public int observe(int batchSize, double latencyMs) {
        if (batchSize < 1 || !(latencyMs >= 0)) {
            throw new IllegalArgumentException("need batchSize >= 1 and latencyMs >= 0, got " + batchSize + ", " + latencyMs);
        }
        if (latencyMs > objectiveMs) {
            size = Math.max(1, Math.min(size - 1, (int) Math.floor(size * decreaseFactor)));
        } else if (batchSize >= size) {
            size = Math.min(maxBatch, size + increase);
        }
        return size;
    }
}
