package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.policy.LoadSnapshot;
import dev.sluice.decision.policy.Selection;
import dev.sluice.decision.policy.SelectionPolicy;
import dev.sluice.decision.policy.SelectionRequest;
import dev.sluice.decision.policy.VariantLoad;
import dev.sluice.models.Catalog;
import dev.sluice.sim.hops.HopLatencies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A replica that runs no batch for {@link VariantLoad#MEASURED_COST_TTL_MS} stops reporting its
 * measured cost, as the executors' {@code LoadTracker} does, so a policy sees the variant at its
 * profile's cost again.
 */
class MeasuredCostTtlTest {
    /** Serves with "m" for the first 2 s, then turns every request away; records the cost the view showed. */
    static final class ServeThenStop implements SelectionPolicy {
        final List<double[]> seen = new ArrayList<>(); // {nowMs, msPerRequest}
        long firstMs = -1;

        @Override
        public String name() {
            return "serve-then-stop";
        }

        @Override
        public Selection decide(SelectionRequest request, Catalog catalog, LoadSnapshot load, long nowMs) {
            firstMs = firstMs < 0 ? nowMs : firstMs;
            seen.add(new double[] {nowMs - firstMs, load.of("m").msPerRequest()});
            return nowMs - firstMs < 2_000 ? Selection.serve(List.of("m"), 0) : Selection.reject("stopped");
        }
    }

    @Test
    void anIdleReplicasMeasuredCostGoesStaleAfterTheTtl() {
        ServeThenStop p = new ServeThenStop();
        SimConfig c = SimFixtures.steady(50, 16, 10_000, Map.of("m", 1)).withEvenArrivals();
        new Simulation(c, SimFixtures.oneVariant(0.9, 10, 1), HopLatencies.constant(1), p, 3).run(null);
        long ttl = VariantLoad.MEASURED_COST_TTL_MS;
        double measuredWhileServing = 0;
        int afterTtl = 0;
        for (double[] s : p.seen) {
            if (s[0] > 1_000 && s[0] < 2_000 + ttl - 500) {
                assertTrue(s[1] > 0, "measured and not yet stale at " + s[0] + " ms");
                measuredWhileServing = s[1];
            }
            if (s[0] > 2_000 + ttl + 500) { // the last batch's status, the TTL, a status period and its hop later
                assertEquals(0.0, s[1], "stale at " + s[0] + " ms: no measured cost");
                afterTtl++;
            }
        }
        assertEquals(10.0, measuredWhileServing, 1e-6, "10 ms batches of one while it served");
        assertTrue(afterTtl > 100, "requests seen after the TTL: " + afterTtl);
    }
}
