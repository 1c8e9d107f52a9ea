package dev.sluice.sim.stats;

/**
 * Latencies in fixed memory, for runs of tens of millions of requests: 10 µs buckets up to 1 s,
 * 1 ms buckets up to 120 s, everything longer in one last bucket. A quantile is the midpoint of
 * its bucket, so it is exact to 5 µs below 1 s and to 0.5 ms above.
 */
public final class LatencyHistogram {
    private static final int FINE = 100_000;        // 10 µs x 100,000 = 1 s
    private static final int COARSE = 119_000;      // 1 ms x 119,000 = up to 120 s
    private final long[] counts = new long[FINE + COARSE + 1];
    private long n;

    public void add(double ms) {
        counts[bucket(ms)]++;
        n++;
    }

    public long count() {
        return n;
    }

    static int bucket(double ms) {
        if (!(ms > 0)) {
            return 0;
        }
        if (ms < 1000) {
            return (int) (ms * 100);
        }
        long c = (long) (ms - 1000);
        return c < COARSE ? FINE + (int) c : FINE + COARSE;
    }

    static double mid(int bucket) {
        if (bucket < FINE) {
            return (bucket + 0.5) / 100.0;
        }
        return 1000 + (bucket - FINE) + 0.5;
    }

    /**
     * The {@code q} quantile, matching {@code Percentiles.of} on the sorted values (the value at
     * rank {@code ceil(q n)}, 1-based) up to the bucket width; NaN when empty.
     */
    public double quantile(double q) {
        if (n == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return mid(i);
            }
        }
        return mid(counts.length - 1);
    }
}
