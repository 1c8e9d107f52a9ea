package dev.sluice.sim.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void quantilesMatchTheSortedValuesToTheBucket() {
        SplittableRandom r = new SplittableRandom(1);
        LatencyHistogram h = new LatencyHistogram();
        double[] v = new double[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.exp(r.nextGaussian() * 1.5 + 3); // ~20 ms median, tail past 1 s
            h.add(v[i]);
        }
        Arrays.sort(v);
        for (double q : new double[] {0.01, 0.5, 0.9, 0.99, 0.999}) {
            double exact = v[(int) Math.ceil(q * v.length) - 1];
            double width = exact < 1000 ? 0.01 : 1;
            assertEquals(exact, h.quantile(q), width, "q " + q);
        }
        assertEquals(100_000, h.count());
    }

    @Test
    void emptyIsNaN() {
        assertTrue(Double.isNaN(new LatencyHistogram().quantile(0.5)));
    }
}
