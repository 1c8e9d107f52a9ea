package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.sim.hops.HopLatencies;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The executor's loop between batches (outputs, commits, polls, status): under overload the
 * model idles that long after every batch, so a replica serves fewer requests.
 */
class TurnGapTest {
    /** Requests answered OK: 400/s on one replica whose batches of up to 8 take 40 ms (200/s at most). */
    private static long answered(double turnGapMs) {
        SimConfig c = SimFixtures.steady(400, 10, 300, Map.of("m", 1)).withEvenArrivals();
        List<SimOutcome> out = Collections.synchronizedList(new ArrayList<>());
        new Simulation(c, SimFixtures.oneVariant(0.9, 40, 8), HopLatencies.constant(1),
                new SimEnvironment(null, null).withRequestLog(out::add).withTurnGapMs(turnGapMs), "fixed-high", 1).run(null);
        return out.stream().filter(o -> "OK".equals(o.status())).count();
    }

    @Test
    void aReplicaWaitsOutItsLoopAfterEveryBatch() {
        long none = answered(0);
        long tenMs = answered(10);
        // full batches back to back: 8 every 40 ms without the gap, 8 every 50 ms with it
        assertEquals(40.0 / 50.0, (double) tenMs / none, 0.03, "answered " + tenMs + " with a 10 ms loop, " + none + " without");
    }

    @Test
    void noGapIsTheDefaultAndANegativeOneIsRefused() {
        assertEquals(0.0, new SimEnvironment(null, null).turnGapMs());
        assertThrows(IllegalArgumentException.class, () -> new SimEnvironment(null, null).withTurnGapMs(-1));
    }
}
