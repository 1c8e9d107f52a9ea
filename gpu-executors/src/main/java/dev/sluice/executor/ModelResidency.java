package dev.sluice.executor;

import dev.sluice.executor.runtime.ResidencyPolicy;

/**
 * How an executor process keeps its models: loaded on first use (or all at start when
 * {@code eager}), and under {@code budgetBytes} the least recently used unpinned models unload to
 * make room. {@code maxWaitMs} bounds how long a batch waits for room held by running batches.
 */
public record ModelResidency(long budgetBytes, boolean eager, long maxWaitMs) {
    public ModelResidency {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("memory budget must be positive, got " + budgetBytes + " bytes");
        }
        if (maxWaitMs < 0) {
            throw new IllegalArgumentException("max wait must not be negative, got " + maxWaitMs);
        }
    }

    /** Lazy, no budget: every served model loads on first use and stays. */
    public static ModelResidency defaults() {
        return new ModelResidency(ResidencyPolicy.UNLIMITED, false, 30_000);
    }

    /** {@code mb} <= 0 means unlimited. */
    public ModelResidency withBudgetMb(long mb) {
        return new ModelResidency(mb <= 0 ? ResidencyPolicy.UNLIMITED : mb * 1048576L, eager, maxWaitMs);
    }

    public ModelResidency withEager(boolean e) {
        return new ModelResidency(budgetBytes, e, maxWaitMs);
    }

    public boolean unlimited() {
        return budgetBytes == ResidencyPolicy.UNLIMITED;
    }

    @Override
    public String toString() {
        return (unlimited() ? "no memory budget" : String.format("memory budget %.0f MB", budgetBytes / 1048576.0))
                + (eager ? ", all models loaded at start" : ", models loaded on first use");
    }
}
