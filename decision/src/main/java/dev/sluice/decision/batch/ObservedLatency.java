package dev.sluice.decision.batch;

import dev.sluice.models.LatencyProfile;

/**
 * A batch-latency model that follows how fast the host really runs batches: the profile's
 * median scaled by how much slower than it the recent batches ran, never below the planning
 * latency (the profile's p99) the batcher uses on an idle host. Pure and clock-free; the executor reports each
 * batch it ran ({@link #observe}).
 *
 * <p>Why: the profiles are measured on an idle machine. On a host whose cores the transport also
 * uses (the embedded pipeline on two cores), a heavy variant's batch of 8 ran 4.4 times its
 * profile during a burst (docs/benchmarks/sim.md). A batcher planning with the idle profile
 * starts deadline batches too late and keeps tasks it can no longer answer in time.
 */
public final class ObservedLatency implements BatchLatencyModel {
    /** Weight of the newest batch in the running slowdown: about the last ten batches count. */
    static final double WEIGHT = 0.2;

    private final BatchLatencyModel typical;
    private final BatchLatencyModel planning;
    private double slowdown = 1;

    /**
     * @param typical what a batch usually takes on an idle host (a profile's p50): observed times
     *     are compared with it
     * @param planning what the batcher plans with on an idle host (a profile's p99)
     */
    public ObservedLatency(BatchLatencyModel typical, BatchLatencyModel planning) {
        this.typical = typical;
        this.planning = planning;
    }

    /**
     * An executor's model for a variant of {@code profile} with batches of up to {@code maxBatch}:
     * the profile's p50 as the typical batch, its p99 to plan with, both tabulated (the batcher asks
     * on every poll); sizes are clamped to 0..maxBatch, and 0 (or an empty profile) costs nothing.
     */
    public static ObservedLatency of(LatencyProfile profile, int maxBatch) {
        double[] p50 = new double[maxBatch + 1];
        double[] p99 = new double[maxBatch + 1];
        for (int n = 1; n <= maxBatch && !profile.isEmpty(); n++) {
            p50[n] = profile.p50Ms(n);
            p99[n] = profile.p99Ms(n);
        }
        return new ObservedLatency(n -> p50[Math.min(Math.max(n, 0), maxBatch)], n -> p99[Math.min(Math.max(n, 0), maxBatch)]);
    }

    /** A batch of {@code batchSize} ran in {@code ms}; ignored when either side is unknown. */
    public void observe(int batchSize, double ms) {
        double expected = typical.latencyMs(batchSize);
        if (!(expected > 0) || !(ms > 0)) {
            return;
        }
        slowdown = (1 - WEIGHT) * slowdown + WEIGHT * (ms / expected);
    }

    /** How many times slower than the profile's median recent batches ran; at least 1. */
    public double slowdown() {
        return Math.max(1, slowdown);
    }

    /**
     * The profile's planning latency, or the typical latency at the observed slowdown when that
     * is longer. (The slowdown scales the median it was measured against: scaling the p99 too
     * planned a batch of {@code vgg-tta}, p50 9 ms and p99 17 ms at 8, at 82 ms where it ran in
     * 44, and dropped tasks that would have made it.)
     */
    @Override
    public double latencyMs(int batchSize) {
        return Math.max(planning.latencyMs(batchSize), typical.latencyMs(batchSize) * slowdown());
    }
}
