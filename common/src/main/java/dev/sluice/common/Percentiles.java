package dev.sluice.common;

/** Nearest-rank percentiles of sorted samples. */
public final class Percentiles {
    private Percentiles() {}

    /** The {@code q}-quantile (0..1) of ascending {@code sorted}; NaN when empty. */
    public static double of(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
