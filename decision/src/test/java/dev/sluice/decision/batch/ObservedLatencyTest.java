package dev.sluice.decision.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ObservedLatencyTest {
    private final BatchLatencyModel p50 = n -> 1.0 * n;
    private final BatchLatencyModel p99 = n -> 2.0 * n;

    @Test
    void plansWithTheProfileUntilBatchesRunSlower() {
        ObservedLatency l = new ObservedLatency(p50, p99);
        assertEquals(16.0, l.latencyMs(8), 1e-9);
        l.observe(8, 4); // faster than the profile's median: the plan stays the profile's
        assertEquals(1.0, l.slowdown(), 1e-9);
        assertEquals(16.0, l.latencyMs(8), 1e-9);
    }

    @Test
    void followsTheRecentSlowdownWhateverTheBatchSize() {
        ObservedLatency l = new ObservedLatency(p50, p99);
        for (int i = 0; i < 60; i++) {
            l.observe(i % 2 == 0 ? 8 : 2, i % 2 == 0 ? 32 : 8); // 4x the median at either size
        }
        assertEquals(4.0, l.slowdown(), 1e-3);
        assertEquals(32.0, l.latencyMs(8), 0.1); // the median at 4x, above the p99 of 16
        for (int i = 0; i < 60; i++) {
            l.observe(4, 4); // the host is idle again
        }
        assertEquals(1.0, l.slowdown(), 1e-3);
    }

    @Test
    void aSlowdownBelowTheTailKeepsTheProfilesPlan() {
        ObservedLatency l = new ObservedLatency(p50, p99);
        for (int i = 0; i < 60; i++) {
            l.observe(8, 12); // 1.5x the median, still under the p99 of 16
        }
        assertEquals(1.5, l.slowdown(), 1e-3);
        assertEquals(16.0, l.latencyMs(8), 1e-9);
    }

    @Test
    void oneSlowBatchMovesThePlanByItsWeightOnly() {
        ObservedLatency l = new ObservedLatency(p50, p99);
        l.observe(1, 11); // 11x
        assertEquals(1 + ObservedLatency.WEIGHT * 10, l.slowdown(), 1e-9);
    }

    @Test
    void ignoresBatchesItCannotCompare() {
        ObservedLatency l = new ObservedLatency(n -> 0, p99);
        l.observe(4, 100);
        assertEquals(1.0, l.slowdown(), 1e-9);
        ObservedLatency m = new ObservedLatency(p50, p99);
        m.observe(4, 0);
        m.observe(4, Double.NaN);
        assertEquals(1.0, m.slowdown(), 1e-9);
    }
}
