package dev.sluice.sim.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IntervalTest {
    @Test
    void studentTHalfWidth() {
        // mean 3, s = sqrt(2.5) = 1.5811, t(0.975, 4) = 2.776: 2.776 x 1.5811 / sqrt(5) = 1.9630
        Interval i = Interval.of(new double[] {1, 2, 3, 4, 5});
        assertEquals(3.0, i.mean(), 1e-12);
        assertEquals(1.9630, i.ci95(), 1e-4);
        assertEquals(5, i.n());
    }

    @Test
    void tenSeeds() {
        // t(0.975, 9) = 2.262
        double[] v = {0.91, 0.93, 0.92, 0.90, 0.94, 0.92, 0.91, 0.93, 0.92, 0.92};
        double mean = 0.92;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        assertEquals(2.262 * Math.sqrt(ss / 9) / Math.sqrt(10), Interval.of(v).ci95(), 1e-9);
    }

    @Test
    void tQuantiles() {
        assertEquals(12.706, Interval.t975(1), 1e-3);
        assertEquals(2.042, Interval.t975(30), 1e-3);
        assertEquals(2.021, Interval.t975(40), 1e-3);
        assertEquals(1.984, Interval.t975(100), 1e-3);
        assertEquals(1.960, Interval.t975(100_000), 1e-3);
    }

    @Test
    void oneRunHasNoInterval() {
        Interval i = Interval.of(new double[] {0.5});
        assertEquals(0.5, i.mean());
        assertTrue(Double.isNaN(i.ci95()));
    }

    @Test
    void separation() {
        Interval a = new Interval(0.9, 0.01, 10);
        assertTrue(a.separatedFrom(new Interval(0.95, 0.02, 10)));
        assertFalse(a.separatedFrom(new Interval(0.92, 0.02, 10)));
    }
}
