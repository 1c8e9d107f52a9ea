package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.trace.RateTrace;
import dev.sluice.sim.hops.HopLatencies;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** While requests arrive faster than the busy rate, hops are drawn from the busy latencies. */
class BusyHopsTest {
    /** 50 requests/s with 200/s from 2 s to 4 s; 1 ms hops, 20 ms when busy; 1 ms batches with room to spare. */
    private static List<SimOutcome> run(SimEnvironment.BusyHops busy) {
        SimConfig c = SimConfig.of(SimFixtures.TASK, RateTrace.steadyWithBurst(50, 4, 2, 4), 200, 6, 1_000, List.of(0.0),
                Map.of("m", 1)).withEvenArrivals();
        List<SimOutcome> out = Collections.synchronizedList(new ArrayList<>());
        new Simulation(c, SimFixtures.oneVariant(0.9, 1, 16), HopLatencies.constant(1),
                new SimEnvironment(null, null).withRequestLog(out::add).withBusyHops(busy), "fixed-high", 1).run(null);
        return out;
    }

    private static long slower(List<SimOutcome> rows, long ms) {
        return rows.stream().filter(o -> o.receivedMs() - o.sentMs() > ms).count();
    }

    @Test
    void theBurstsRequestsMeetTheBusyHops() {
        List<SimOutcome> quietHops = run(null);
        assertEquals(0, slower(quietHops, 15), "1 ms hops and 1 ms batches: every answer within a few ms");
        List<SimOutcome> busyHops = run(new SimEnvironment.BusyHops(HopLatencies.constant(20), 125));
        assertEquals(quietHops.size(), busyHops.size());
        // the 400 requests of the burst (less the first tenths of a second, while the smoothed rate climbs past 125/s)
        // meet 20 ms hops, four of them on a request's path; the 50/s ones around it do not
        long slow = slower(busyHops, 50);
        assertTrue(slow >= 300 && slow <= 440, slow + " of " + busyHops.size() + " requests met the busy hops");
        assertTrue(busyHops.size() - slower(busyHops, 15) >= 150, "the quiet seconds' requests keep the quiet hops");
    }

    @Test
    void busyHopsNeedAPositiveRate() {
        assertThrows(IllegalArgumentException.class, () -> new SimEnvironment.BusyHops(HopLatencies.constant(1), 0));
        assertThrows(IllegalArgumentException.class, () -> new SimEnvironment.BusyHops(null, 10));
    }
}
