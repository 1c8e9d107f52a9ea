package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.sim.hops.HopLatencies;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One replica, every batch 10 ms, every hop 1 ms, requests evenly every 20 ms: each request is
 * alone, so it takes request hop + task hop + 10 ms + output hop + result hop = 14 ms, and the
 * SLO holds exactly when the deadline is at least 14 ms. The executor's answer margin is this
 * scenario's own path after a batch (output hop + result hop = 2 ms).
 */
class TinyScenarioTest {
    private static RunResult run(long deadlineMs, double rps, int maxBatch) {
        SimConfig c = SimFixtures.steady(rps, 10, deadlineMs, Map.of("m", 1)).withEvenArrivals()
                .withAnswerMarginMs(2);
        return new Simulation(c, SimFixtures.oneVariant(0.8, 10, maxBatch), HopLatencies.constant(1), "fixed-high", 1).run(null);
    }

    @Test
    void aLoneRequestTakesItsHopsPlusItsBatch() {
        RunResult r = run(14, 50, 1);
        assertEquals(500, r.sent(), 1);
        assertEquals(1.0, r.sloAttainment());
        assertEquals(0, r.violations());
        // the histogram reports a bucket's midpoint: 10 µs buckets
        assertEquals(14.0, r.latencyMs().get("p50"), 0.01);
        assertEquals(14.0, r.latencyMs().get("p99"), 0.01);
        assertEquals(10.0, r.computeMsPerRequest(), 1e-9);
        assertEquals(Map.of("m", r.sent()), r.variantMix());
    }

    @Test
    void aDeadlineBelowThePathIsMissedByEveryRequest() {
        RunResult r = run(13, 50, 1);
        assertEquals(0.0, r.sloAttainment());
        assertEquals(0.0, r.effectiveAccuracy());
        // late either way: voted at 13 ms and received at 14, or answered DEADLINE_EXCEEDED at the 13 ms deadline tick
        assertEquals(r.sent(), r.violations());
    }

    @Test
    void accuracyIsTheVariantsMeasuredAccuracy() {
        RunResult r = run(100, 50, 1);
        // 500 Bernoulli(0.8) draws: within 4 standard deviations (0.018 each)
        assertEquals(0.8, r.accuracy(), 0.072);
        assertEquals(r.accuracy(), r.effectiveAccuracy(), 1e-9);
    }

    @Test
    void twiceTheCapacityServesAtCapacityAndTheRestIsLate() {
        // a request every 5 ms, one at a time at 10 ms each: the replica serves 100/s and the queue grows by 100/s
        RunResult r = run(60_000, 200, 1);
        assertEquals(2000, r.sent(), 1);
        assertEquals(1.0, r.sloAttainment()); // a minute's deadline: all answered, late or not
        // the last request waits behind ~1000 others: about 10 s
        assertEquals(10_000, r.latencyMs().get("p99"), 300);
    }

    @Test
    void batchingServesTheSameLoadInTime() {
        // the same overload with batches of up to 4 at 10 ms each: 400/s of capacity, so nothing waits for long
        RunResult r = run(40, 200, 4);
        assertEquals(1.0, r.sloAttainment());
        // a batch starts every 10 ms with what arrived meanwhile: up to one batch time of waiting on top of the 14 ms path
        assertTrue(r.latencyMs().get("p50") > 14 && r.latencyMs().get("p99") <= 24.01, r.latencyMs().toString());
    }

    @Test
    void twiceTheCapacityWithADeadlineAnswersTheCapacityInTime() {
        // a request every 5 ms, 10 ms each, 300 ms deadline: the replica drops what it can no longer answer in
        // time (DeadlineBatcher.takeUnreachable) and spends its 100/s on the rest, so about half are in time
        // (running every queued task that had not yet expired, as the executors did before, answered 2.9% in time)
        RunResult r = run(300, 200, 1);
        assertEquals(2000, r.sent(), 1);
        assertTrue(r.sloAttainment() > 0.45 && r.sloAttainment() <= 0.55, "slo " + r.sloAttainment());
    }
}
