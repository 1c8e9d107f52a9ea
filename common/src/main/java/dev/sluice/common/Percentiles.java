package dev.sluice.common;

import java.util.LinkedHashMap;
import java.util.Map;

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

    /** {@code {p50, p99}} of ascending {@code sorted}, as the benchmarks' summaries report latencies; NaN when empty. */
    public static Map<String, Double> p50p99(double[] sorted) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("p50", of(sorted, 0.50));
        m.put("p99", of(sorted, 0.99));
        return m;
    }
}
