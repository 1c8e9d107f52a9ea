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
 * The selector's load view is fed only by statuses on the executors' period, after the status
 * hop, plus its own dispatches: a policy sees load as stale as in production.
 */
class StalenessTest {
    /** Serves everything with "m" and records what the load view showed at each decision. */
    static final class Recorder implements SelectionPolicy {
        final List<long[]> seen = new ArrayList<>(); // {nowMs, observedAtMs, totalQueue, replicas}

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public Selection decide(SelectionRequest request, Catalog catalog, LoadSnapshot load, long nowMs) {
            VariantLoad l = load.of("m");
            seen.add(new long[] {nowMs, l.observedAtMs(), l.totalQueue(), l.replicas()});
            return Selection.serve(List.of("m"), 0);
        }
    }

    private static Recorder run(long intervalMs, double rps, double batchMs) {
        Recorder p = new Recorder();
        SimConfig c = SimFixtures.steady(rps, 5, 10_000, Map.of("m", 1)).withStatus(intervalMs, 10_000);
        new Simulation(c, SimFixtures.oneVariant(0.9, batchMs, 1), HopLatencies.constant(1), p, 3).run(null);
        return p;
    }

    @Test
    void statusesAreAsOldAsTheirPeriodAndHop() {
        for (long interval : new long[] {20, 200, 1000}) {
            Recorder r = run(interval, 100, 1);
            long max = 0;
            long min = Long.MAX_VALUE;
            for (long[] s : r.seen) {
                if (s[3] == 0) {
                    continue; // before the first status
                }
                long age = s[0] - s[1];
                max = Math.max(max, age);
                min = Math.min(min, age);
            }
            // a status is 1 ms old when it arrives (the hop) and is replaced one period later
            assertTrue(min >= 1, "interval " + interval + ": min age " + min);
            assertTrue(max <= interval + 1 + 2, "interval " + interval + ": max age " + max);
            assertTrue(max >= interval * 0.8, "interval " + interval + ": max age " + max + " (statuses should get that old)");
        }
    }

    @Test
    void betweenStatusesThePolicySeesItsOwnDispatchesAddUp() {
        // 500 rps at 10 ms per task on one replica: overloaded, so the queue the view shows grows between statuses
        Recorder r = run(200, 500, 10);
        int checked = 0;
        for (int i = 1; i < r.seen.size(); i++) {
            long[] a = r.seen.get(i - 1);
            long[] b = r.seen.get(i);
            if (a[1] == b[1] && a[3] > 0) { // same status: only this selector's one dispatch in between
                assertEquals(a[2] + 1, b[2], "decision " + i);
                checked++;
            }
        }
        assertTrue(checked > 1000, "checked " + checked);
    }
}
