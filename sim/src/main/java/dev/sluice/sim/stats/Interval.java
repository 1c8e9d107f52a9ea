package dev.sluice.sim.stats;

import java.util.List;

/**
 * A mean over independent runs (one per seed) and the half-width of its 95% confidence interval,
 * {@code t(0.975, n-1) s / sqrt(n)} with Student's t (s: the sample standard deviation). One run
 * gives no interval: {@code ci95} is NaN.
 */
public record Interval(double mean, double ci95, int n) {
    /** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
        2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
        2.048, 2.045, 2.042};

    public static Interval of(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).toArray();
        return of(v);
    }

    public static Interval of(double[] v) {
        int n = v.length;
        if (n == 0) {
            return new Interval(Double.NaN, Double.NaN, 0);
        }
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= n;
        if (n == 1) {
            return new Interval(mean, Double.NaN, 1);
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        double s = Math.sqrt(ss / (n - 1));
        return new Interval(mean, t975(n - 1) * s / Math.sqrt(n), n);
    }

    /** The 0.975 quantile of Student's t with {@code df} degrees of freedom (table to 30, then a series in 1/df). */
    public static double t975(int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + df);
        }
        if (df <= T975.length) {
            return T975[df - 1];
        }
        // Cornish-Fisher expansion around z = 1.959964 (error below 1e-4 for df > 30)
        double z = 1.959964;
        double z3 = z * z * z;
        double z5 = z3 * z * z;
        double z7 = z5 * z * z;
        return z + (z3 + z) / (4.0 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96.0 * df * df)
                + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384.0 * df * df * df);
    }

    public double low() {
        return mean - ci95;
    }

    public double high() {
        return mean + ci95;
    }

    /** Whether the two 95% intervals do not overlap. */
    public boolean separatedFrom(Interval o) {
        return low() > o.high() || o.low() > high();
    }
}
