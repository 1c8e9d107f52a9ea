package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.sim.hops.HopLatencies;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A selector that releases its output on a period sends a period's tasks for one replica together. */
class SelectorReleaseTest {
    private static RunResult run(long releaseMs) {
        // a request every 2 ms, 1 ms batches of up to 16, no batching delay: alone, each task is its own batch
        SimConfig c = SimFixtures.steady(500, 5, 1_000, Map.of("m", 1)).withEvenArrivals();
        return new Simulation(c, SimFixtures.oneVariant(0.9, 1, 16), HopLatencies.constant(1),
                new SimEnvironment(null, null, 1, releaseMs), "fixed-high", 1).run(null);
    }

    @Test
    void tasksReleasedTogetherRunTogether() {
        assertEquals(1.0, run(0).batchSizeMean().get("m"), 0.01);
        // ten requests a 20 ms release reach the replica at one instant: the first starts a batch on its own (the
        // replica is idle and the batcher has no delay), the other nine run together after it; per task the mean
        // batch is (1 x 1 + 9 x 9) / 10 = 8.2
        assertEquals(8.2, run(20).batchSizeMean().get("m"), 0.01);
    }

    @Test
    void aRequestWaitsForTheNextRelease() {
        // 4 ms of hops and 1 ms of batch, plus the wait for the release: 0 to 20 ms, 10 on average
        RunResult r = run(20);
        assertTrue(r.latencyMs().get("p50") > 10 && r.latencyMs().get("p50") < 20, r.latencyMs().toString());
        assertTrue(r.latencyMs().get("p99") <= 25.1, r.latencyMs().toString());
        assertEquals(1.0, r.sloAttainment());
        assertThrows(IllegalArgumentException.class, () -> new SimEnvironment(null, null, 1, -1));
    }
}
