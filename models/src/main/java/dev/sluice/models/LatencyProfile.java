package dev.sluice.models;

import java.util.Comparator;
import java.util.List;

/** Latency per batch size of one variant on one device, as measured by {@code sluice profile}. */
public record LatencyProfile(String device, int threads, String measuredAt, List<LatencyPoint> points) {
    public LatencyProfile {
        points = points.stream().sorted(Comparator.comparingInt(LatencyPoint::batch)).toList();
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return points.isEmpty();
    }

    /** p99 latency of a batch of {@code batch}, linearly interpolated between measured sizes. */
    public double p99Ms(int batch) {
        return interpolate(batch, true);
    }

    public double p50Ms(int batch) {
        return interpolate(batch, false);
    }

    public int maxMeasuredBatch() {
        return points.isEmpty() ? 1 : points.get(points.size() - 1).batch();
    }

    /** Samples per second at the largest measured batch, from the p50 latency. */
    public double peakThroughput() {
        if (points.isEmpty()) {
            return 0;
        }
        double best = 0;
        for (LatencyPoint p : points) {
            best = Math.max(best, p.batch() * 1000.0 / Math.max(p.p50Ms(), 1e-6));
        }
        return best;
    }

    private double interpolate(int batch, boolean p99) {
        if (points.isEmpty()) {
            throw new IllegalStateException("no latency profile: run ./sluice profile");
        }
        LatencyPoint lo = points.get(0);
        if (batch <= lo.batch()) {
            return value(lo, p99);
        }
        for (LatencyPoint hi : points) {
            if (hi.batch() >= batch) {
                double f = (batch - lo.batch()) / (double) (hi.batch() - lo.batch());
                return value(lo, p99) + f * (value(hi, p99) - value(lo, p99));
            }
            lo = hi;
        }
        // beyond the largest measured batch: scale per sample
        return value(lo, p99) * batch / lo.batch();
    }

    private static double value(LatencyPoint p, boolean p99) {
        return p99 ? p.p99Ms() : p.p50Ms();
    }
}
