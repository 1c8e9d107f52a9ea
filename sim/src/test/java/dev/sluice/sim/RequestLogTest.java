package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.sim.hops.HopLatencies;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request log holds each measured request once, as the run counted it. */
class RequestLogTest {
    private static List<SimOutcome> log(SimConfig c, String policy, RunResult[] result) {
        List<SimOutcome> out = Collections.synchronizedList(new ArrayList<>());
        result[0] = new Simulation(c, SimFixtures.oneVariant(0.9, 10, 4), HopLatencies.constant(1),
                new SimEnvironment(null, null).withRequestLog(out::add), policy, 3).run(null);
        return out;
    }

    @Test
    void everyMeasuredRequestOnceWithTheRunsCounts() {
        // 600 requests/s at a replica that serves at most 400 (batches of 4 in 10 ms): some miss their 100 ms
        SimConfig c = SimFixtures.steady(600, 3, 100, Map.of("m", 1));
        RunResult[] r = new RunResult[1];
        List<SimOutcome> rows = log(c, "fixed-high", r);
        assertEquals(r[0].sent(), rows.size());
        long onTime = rows.stream().filter(SimOutcome::onTime).count();
        assertEquals(r[0].sloAttainment(), onTime / (double) rows.size(), 1e-6); // the run rounds to 6 places
        assertTrue(onTime > 0 && onTime < rows.size(), onTime + " of " + rows.size() + " on time: the run should be mixed");
        assertEquals(rows.size(), rows.stream().map(SimOutcome::requestId).distinct().count());
        for (SimOutcome o : rows) {
            assertTrue(o.sentMs() >= 0, "warm-up requests are not measured: " + o);
            assertEquals(o.sentMs() + 100, o.deadlineMs(), 1.0, o.toString());
            assertTrue(o.receivedMs() >= o.sentMs(), o.toString());
            assertNotNull(o.latency(), o.toString());
            assertEquals("fixed-high", o.policy());
            assertEquals(3, o.seed());
            if (o.status().equals("OK")) {
                assertEquals(List.of("m"), o.variants());
                assertEquals(o.receivedMs() <= o.deadlineMs(), o.onTime(), o.toString());
            } else {
                assertFalse(o.onTime(), o.toString());
            }
        }
        assertTrue(rows.stream().anyMatch(o -> o.status().equals("DEADLINE_EXCEEDED")), "the overload drops some");
    }

    @Test
    void rejectedRequestsAreLoggedWithTheSelectorsReason() {
        // no variant reaches a 0.99 floor: the selector answers every request itself
        SimConfig c = SimConfig.of(SimFixtures.TASK, dev.sluice.decision.trace.RateTrace.steady(50), 50, 2, 100, List.of(0.99),
                Map.of("m", 1));
        RunResult[] r = new RunResult[1];
        List<SimOutcome> rows = log(c, "infaas", r);
        assertEquals(r[0].sent(), rows.size());
        assertFalse(rows.isEmpty());
        for (SimOutcome o : rows) {
            assertEquals("REJECTED", o.status(), o.toString());
            assertEquals(-1, o.receivedMs());
            assertNull(o.latency());
            assertFalse(o.reason() == null || o.reason().isBlank(), o.toString());
        }
    }
}
