package dev.sluice.sim;

import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How long a batch runs on a replica: drawn per batch from the variant's measured profile at that
 * batch size. The profile gives p50, p95 and p99 per measured size (linear between sizes, per
 * sample beyond the largest, as {@link LatencyProfile} interpolates); a draw inverts the CDF
 * through (0.5, p50), (0.95, p95), (0.99, p99), with a ramp from {@code max(0.9 p50, p50 - (p95 -
 * p50))} at probability 0 (batch times rarely fall far below their median, and no further than
 * the tail rises above it) and up to p99 + (p99 - p95) at probability 1. A profile without spread
 * (p50 = p95 = p99) gives that one value every time.
 *
 * <p>The draw's mean lies above its p50 (the tail is longer than the ramp below): 0.4 to 4.5%
 * for the zoo's heavy variants at batch 8, 30% for the lightest at batch 1. On a shared host,
 * whose probes measure how much slower than the profile's p50 a batch runs there on average,
 * the simulator draws from {@link #centredOnMedian()} so that the skew is not counted twice.
 */
final class BatchCost {
    private final double[][] table; // [batch][q0, p50, p95, p99, q1]

    BatchCost(LatencyProfile profile, int maxBatch) {
        table = new double[maxBatch + 1][];
        for (int b = 1; b <= maxBatch; b++) {
            double p50 = profile.p50Ms(b);
            double p95 = Math.max(p50, p95(profile.points(), b));
            double p99 = Math.max(p95, profile.p99Ms(b));
            table[b] = new double[] {Math.max(0.9 * p50, p50 - (p95 - p50)), p50, p95, p99, p99 + (p99 - p95)};
        }
    }

    /** Every batch takes exactly {@code ms} (hand-checkable scenarios). */
    static BatchCost constant(double ms, int maxBatch) {
        return new BatchCost(ms, maxBatch);
    }

    private BatchCost(double ms, int maxBatch) {
        table = new double[maxBatch + 1][];
        for (int b = 1; b <= maxBatch; b++) {
            table[b] = new double[] {ms, ms, ms, ms, ms};
        }
    }

    /**
     * This cost with every draw scaled so that its mean is the profile's p50 at that batch size,
     * the shape kept: what a batch costs where a factor measured against the p50 (a shared host's
     * {@code aloneSlowdown}, taken from mean batch times) already carries the host's spread.
     */
    BatchCost centredOnMedian() {
        double[][] t = new double[table.length][];
        for (int b = 1; b < table.length; b++) {
            double[] q = table[b];
            double f = q[1] / meanOf(q);
            t[b] = new double[] {q[0] * f, q[1] * f, q[2] * f, q[3] * f, q[4] * f};
        }
        return new BatchCost(t);
    }

    private BatchCost(double[][] table) {
        this.table = table;
    }

    /** The mean of a draw at {@code batch} (ms). */
    double meanMs(int batch) {
        return meanOf(table[Math.min(batch, table.length - 1)]);
    }

    /** The mean of the piecewise-linear inverse CDF {@link #sampleMs} walks: each piece's midpoint times its probability. */
    private static double meanOf(double[] q) {
        return 0.50 * (q[0] + q[1]) / 2 + 0.45 * (q[1] + q[2]) / 2 + 0.04 * (q[2] + q[3]) / 2 + 0.01 * (q[3] + q[4]) / 2;
    }

    double sampleMs(int batch, RandomGenerator random) {
        double[] q = table[Math.min(batch, table.length - 1)];
        double u = random.nextDouble();
        if (u < 0.5) {
            return q[0] + (q[1] - q[0]) * (u / 0.5);
        }
        if (u < 0.95) {
            return q[1] + (q[2] - q[1]) * ((u - 0.5) / 0.45);
        }
        if (u < 0.99) {
            return q[2] + (q[3] - q[2]) * ((u - 0.95) / 0.04);
        }
        return q[3] + (q[4] - q[3]) * ((u - 0.99) / 0.01);
    }

    double p50Ms(int batch) {
        return table[Math.min(batch, table.length - 1)][1];
    }

    /** p95 at {@code batch}, interpolated as {@link LatencyProfile} does p50 and p99. */
    private static double p95(List<LatencyPoint> points, int batch) {
        LatencyPoint lo = points.get(0);
        if (batch <= lo.batch()) {
            return lo.p95Ms();
        }
        for (LatencyPoint hi : points) {
            if (hi.batch() >= batch) {
                double f = (batch - lo.batch()) / (double) (hi.batch() - lo.batch());
                return lo.p95Ms() + f * (hi.p95Ms() - lo.p95Ms());
            }
            lo = hi;
        }
        return lo.p95Ms() * batch / lo.batch();
    }
}
