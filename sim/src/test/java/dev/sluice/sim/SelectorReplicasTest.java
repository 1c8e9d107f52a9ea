package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.policy.SelectionPolicy;
import dev.sluice.sim.hops.HopLatencies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several selector replicas: each request is decided by one of them, each with its own load view
 * that hears every status but only its own dispatches.
 */
class SelectorReplicasTest {
    private static RunResult run(List<SelectionPolicy> selectors) {
        // 500 rps at 10 ms a task on one replica: overloaded, so the queues the views show grow between statuses
        SimConfig c = SimFixtures.steady(500, 5, 10_000, Map.of("m", 1)).withStatus(200, 10_000);
        return new Simulation(c, SimFixtures.oneVariant(0.9, 10, 1), HopLatencies.constant(1),
                new SimEnvironment(null, null, selectors.size()), selectors, 3).run(null);
    }

    @Test
    void everyRequestIsDecidedByOneReplica() {
        StalenessTest.Recorder a = new StalenessTest.Recorder();
        StalenessTest.Recorder b = new StalenessTest.Recorder();
        RunResult r = run(List.of(a, b));
        assertEquals(r.sent(), a.seen.size() + b.seen.size());
        // spread by the request id's hash: about half each
        assertEquals(0.5, a.seen.size() / (double) r.sent(), 0.05);
    }

    @Test
    void eachReplicaSeesEveryStatusButOnlyItsOwnDispatches() {
        StalenessTest.Recorder a = new StalenessTest.Recorder();
        StalenessTest.Recorder b = new StalenessTest.Recorder();
        run(List.of(a, b));
        for (StalenessTest.Recorder rec : List.of(a, b)) {
            int checked = 0;
            long statuses = rec.seen.stream().filter(s -> s[3] > 0).mapToLong(s -> s[1]).distinct().count();
            // a status every 200 ms over 5 s: each replica's view took in (nearly) all of them
            assertTrue(statuses >= 20, "statuses seen " + statuses);
            for (int i = 1; i < rec.seen.size(); i++) {
                long[] x = rec.seen.get(i - 1);
                long[] y = rec.seen.get(i);
                if (x[1] == y[1] && x[3] > 0) {
                    // the other replica dispatched in between too, but this view only counts its own one
                    assertEquals(x[2] + 1, y[2], "decision " + i);
                    checked++;
                }
            }
            assertTrue(checked > 500, "checked " + checked);
        }
    }

    @Test
    void aPolicyByNameGetsOneInstancePerReplica() {
        SimConfig c = SimFixtures.steady(200, 5, 1_000, Map.of("m", 1));
        RunResult one = new Simulation(c, SimFixtures.oneVariant(0.9, 1, 8), HopLatencies.constant(1),
                new SimEnvironment(null, null, 1), "fixed-high", 5).run(null);
        RunResult four = new Simulation(c, SimFixtures.oneVariant(0.9, 1, 8), HopLatencies.constant(1),
                new SimEnvironment(null, null, 4), "fixed-high", 5).run(null);
        assertEquals(one.sent(), four.sent()); // the arrivals are the seed's, whatever decides them
        assertEquals(Map.of("m", four.sent()), four.variantMix());
        assertNotEquals(one.events(), four.events()); // four status deliveries per status instead of one
        assertThrows(IllegalArgumentException.class, () -> new SimEnvironment(null, null, 0));
    }
}
