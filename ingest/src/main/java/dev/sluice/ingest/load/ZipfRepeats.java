package dev.sluice.ingest.load;

import java.util.SplittableRandom;

/**
 * Which sample each request carries when inputs repeat: Zipf-distributed over {@code n} samples
 * (the sample of rank {@code r}, 1-based, is drawn with probability proportional to
 * {@code 1 / r^exponent}), the ranks assigned to samples by a seeded shuffle, so the popular
 * inputs are not simply the first ones. Exponent 1 over the 10,000 test images draws the most
 * popular image about one request in ten; exponent 0 draws uniformly. Seeded: the same sequence
 * for the same seed (a cache on/off comparison replays the same requests). Not thread-safe.
 */
public final class ZipfRepeats {
    private final double[] cdf;
    private final int[] sampleOfRank;
    private final SplittableRandom random;

    public ZipfRepeats(int n, double exponent, long seed) {
        if (n < 1 || !(exponent >= 0)) {
            throw new IllegalArgumentException("zipf repeats: need n >= 1 and exponent >= 0, got " + n + ", " + exponent);
        }
        cdf = new double[n];
        double sum = 0;
        for (int r = 1; r <= n; r++) {
            sum += 1.0 / Math.pow(r, exponent);
            cdf[r - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        random = new SplittableRandom(seed);
        sampleOfRank = new int[n];
        for (int i = 0; i < n; i++) {
            sampleOfRank[i] = i;
        }
        SplittableRandom shuffle = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = sampleOfRank[i];
            sampleOfRank[i] = sampleOfRank[j];
            sampleOfRank[j] = t;
        }
    }

    /** The next request's sample index. */
    public int next() {
        double u = random.nextDouble();
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return sampleOfRank[lo];
    }

    /** The probability of the rank-{@code r} sample (1-based). */
    public double probabilityOfRank(int r) {
        return cdf[r - 1] - (r == 1 ? 0 : cdf[r - 2]);
    }
}
