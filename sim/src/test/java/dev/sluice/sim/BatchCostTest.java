package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A batch's cost drawn from its profile, and the same centred on the profile's p50 for a shared host. */
class BatchCostTest {
    // p50 10, p95 12, p99 30 ms: the ramp starts at max(0.9 x 10, 10 - 2) = 9 and the tail ends at 30 + 18 = 48
    private static final LatencyProfile SKEWED = new LatencyProfile("cpu", 1, "2026-01-01T00:00:00Z",
            List.of(new LatencyPoint(1, 10, 12, 30), new LatencyPoint(8, 10, 12, 30)));

    @Test
    void aDrawsMeanLiesAboveItsMedianByTheTail() {
        BatchCost cost = new BatchCost(SKEWED, 8);
        // 0.50 x 9.5 + 0.45 x 11 + 0.04 x 21 + 0.01 x 39
        assertEquals(10.93, cost.meanMs(4), 1e-9);
        assertEquals(10.93, sampleMean(cost, 4), 0.05);
    }

    @Test
    void centredOnTheMedianTheMeanIsTheP50AndTheShapeIsKept() {
        BatchCost centred = new BatchCost(SKEWED, 8).centredOnMedian();
        assertEquals(10.0, centred.meanMs(4), 1e-9);
        assertEquals(10.0, sampleMean(centred, 4), 0.05);
        double[] draws = draws(centred, 4);
        double p50 = draws[draws.length / 2];
        double p99 = draws[(int) (draws.length * 0.99)];
        assertEquals(10 / 10.93 * 10, p50, 0.05); // every quantile scaled by p50 / mean
        assertEquals(30.0 / 10.0, p99 / p50, 0.02);
    }

    @Test
    void aCostWithoutSpreadIsItsOwnCentre() {
        BatchCost flat = BatchCost.constant(7, 4).centredOnMedian();
        assertEquals(7.0, flat.sampleMs(3, new SplittableRandom(1)), 1e-12);
        assertEquals(7.0, flat.meanMs(3), 1e-12);
    }

    private static double sampleMean(BatchCost cost, int batch) {
        return Arrays.stream(draws(cost, batch)).average().orElseThrow();
    }

    private static double[] draws(BatchCost cost, int batch) {
        SplittableRandom random = new SplittableRandom(7);
        double[] d = new double[400_000];
        for (int i = 0; i < d.length; i++) {
            d[i] = cost.sampleMs(batch, random);
        }
        Arrays.sort(d);
        return d;
    }
}
