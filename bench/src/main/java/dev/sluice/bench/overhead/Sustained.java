package dev.sluice.bench.overhead;

import dev.sluice.common.Percentiles;
import java.util.Arrays;

/**
 * Sustained throughput of one closed-loop run: completions per second inside the measured
 * window (after warm-up), with the slowest and fastest whole second of that window to show
 * whether it was steady.
 */
public record Sustained(double rps, long completed, long failed, double seconds, int window, double minSecondRps,
        double maxSecondRps, double latencyP50Ms) {

    /**
     * @param completionNanos when each successful request completed (any order)
     * @param from start of the measured window (nanoTime), inclusive
     * @param to end of the measured window (nanoTime), exclusive
     */
    public static Sustained of(long[] completionNanos, long from, long to, long failed, int window, double[] latenciesMs) {
        if (to <= from) {
            throw new IllegalArgumentException("empty window");
        }
        double seconds = (to - from) / 1e9;
        int wholeSeconds = (int) Math.floor(seconds);
        long[] perSecond = new long[Math.max(wholeSeconds, 0)];
        long n = 0;
        for (long t : completionNanos) {
            if (t >= from && t < to) {
                n++;
                int s = (int) ((t - from) / 1_000_000_000L);
                if (s < perSecond.length) {
                    perSecond[s]++;
                }
            }
        }
        double min = perSecond.length == 0 ? Double.NaN : Arrays.stream(perSecond).min().orElseThrow();
        double max = perSecond.length == 0 ? Double.NaN : Arrays.stream(perSecond).max().orElseThrow();
        double[] sorted = latenciesMs.clone();
        Arrays.sort(sorted);
        return new Sustained(r2(n / seconds), n, failed, r2(seconds), window, min, max, r2(Percentiles.of(sorted, 0.5)));
    }

    private static double r2(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 100) / 100.0;
    }
}
