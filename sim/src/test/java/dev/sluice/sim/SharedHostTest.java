package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.sim.hops.HopLatencies;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shared host: batches progress at {@code cores / demand} of their profile speed once the
 * demand (threads of the running batches, background, transport) exceeds the cores.
 */
class SharedHostTest {
    @Test
    void speedIsCoresOverDemandOnceTheDemandExceedsThem() {
        SharedHost h = new SharedHost(2, 2, 0, 0);
        assertEquals(1.0, h.speed(1, 0));
        assertEquals(0.5, h.speed(2, 0));
        assertEquals(0.25, h.speed(4, 0));
        SharedHost busy = new SharedHost(2, 2, 1, 5);
        // 2 threads + 1 background core + 5 ms x 200 rps = 1 core: demand 4 on 2 cores
        assertEquals(4.0, busy.demand(1, 200), 1e-12);
        assertEquals(0.5, busy.speed(1, 200), 1e-12);
        assertEquals(1.0, new SharedHost(8, 2, 1, 0).speed(3, 0)); // 7 of 8 cores wanted: full speed
        // a host where a batch alone runs 2x its profile: the factor applies on top of the sharing
        SharedHost slow = new SharedHost(2, 2, 0, 0, 2);
        assertEquals(0.5, slow.speed(1, 0), 1e-12);
        assertEquals(0.25, slow.speed(2, 0), 1e-12);
    }

    @Test
    void oversubscribedCoresRunSlowerThanAFluidShare() {
        SharedHost h = new SharedHost(2, 2, 0, 0, 1, 1.2);
        assertEquals(1.0, h.speed(1, 0), 1e-12, "two threads on two cores: not oversubscribed");
        // two batches: 4 cores wanted on 2, a core or more over: fluid sharing's 2x times the whole penalty
        assertEquals(1 / (2 * 1.2), h.speed(2, 0), 1e-12);
        // half a core over: half the penalty, on a fluid 1.25x
        assertEquals(2.5 / 2 * 1.1, SharedHost.contention(2, 2.5, 1.2), 1e-12);
        assertEquals(1.0, SharedHost.contention(2, 1.5, 1.2));
        // the alone factor applies on top
        assertEquals(1 / (2 * 1.2 * 2), new SharedHost(2, 2, 0, 0, 2, 1.2).speed(2, 0), 1e-12);
    }

    @Test
    void overlappingBatchesAreChargedTheirOwnTransportAndPenalty() {
        // one batch: 1 ms a request, 1.2x; two or more: 3 ms a request, 1.1x
        SharedHost h = new SharedHost(2, 2, 0, 1, 1, 1.2, 3, 1.1);
        // one batch beside 1,000 rps: 3 cores wanted on 2, a core over: 1.5 x 1.2
        assertEquals(1 / (1.5 * 1.2), h.speed(1, 1000), 1e-12);
        // two batches beside 1,000 rps: 4 + 3 = 7 cores wanted: 3.5 x 1.1
        assertEquals(1 / (3.5 * 1.1), h.speed(2, 1000), 1e-12);
        // three: 6 + 3 = 9 cores, with the two-batch cost and penalty
        assertEquals(1 / (4.5 * 1.1), h.speed(3, 1000), 1e-12);
        // the six-argument host charges overlapping batches as one batch
        SharedHost same = new SharedHost(2, 2, 0, 1, 1, 1.2);
        assertEquals(1 / (3.5 * 1.2), same.speed(2, 3000), 1e-12);
        assertTrue(h.describe().contains("with batches overlapping 3.000 ms"), h.describe());
        assertFalse(same.describe().contains("overlapping"), same.describe());
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 2, 0, 1, 1, 1.2, -1, 1.1));
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 2, 0, 1, 1, 1.2, 3, 0.9));
    }

    @Test
    void theDemandAtASlowdownInvertsTheContention() {
        for (double d : new double[] {2.0, 2.3, 2.5, 3.0, 4.7, 9.0}) {
            double slowdown = SharedHost.contention(2, d, 1.22);
            assertEquals(d, SharedHost.demandAt(2, slowdown, 1.22), 1e-9, "demand " + d);
        }
        assertEquals(6.0, SharedHost.demandAt(2, 3.0, 1), 1e-9, "fluid: slowdown x cores");
        assertEquals(2.0, SharedHost.demandAt(2, 0.9, 1.22), "a run no slower than alone: the demand fits");
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 2, 0, 0, 1, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(0, 2, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 2, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 2, 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 2, 0, 0, 0.5));
    }

    @Test
    void aHostSlowedByAFactorRunsEveryBatchThatManyTimesSlowerButNoFasterThanItsProfile() {
        assertEquals(20.0, run(new SharedHost(4, 2, 0, 0).slowedBy(2), 50).computeMsPerRequest(), 1e-6);
        assertEquals(15.0, run(new SharedHost(4, 2, 0, 0, 2.0).slowedBy(0.75), 50).computeMsPerRequest(), 1e-6);
        assertEquals(10.0, run(new SharedHost(4, 2, 0, 0, 1.2).slowedBy(0.5), 50).computeMsPerRequest(), 1e-6,
                "at its profile's speed at the fastest");
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(4, 2, 0, 0).slowedBy(0));
    }

    /** As TinyScenarioTest: one replica, 10 ms batches, 1 ms hops, a request every 20 ms, alone in its batch. */
    private static RunResult run(SharedHost host, double rps) {
        SimConfig c = SimFixtures.steady(rps, 10, 1_000, Map.of("m", 1)).withEvenArrivals();
        return new Simulation(c, SimFixtures.oneVariant(0.8, 10, 1), HopLatencies.constant(1), new SimEnvironment(host, null),
                "fixed-high", 1).run(null);
    }

    @Test
    void aHostWithCoresToSpareChangesNothing() {
        RunResult r = run(new SharedHost(4, 2, 1, 0), 50);
        assertEquals(14.0, r.latencyMs().get("p50"), 0.01);
        assertEquals(14.0, r.latencyMs().get("p99"), 0.01);
        assertEquals(10.0, r.computeMsPerRequest(), 1e-9);
    }

    @Test
    void backgroundWorkStretchesEveryBatch() {
        // 2 threads + 2 background cores on 2 cores: half speed, so a 10 ms batch takes 20 ms
        RunResult r = run(new SharedHost(2, 2, 2, 0), 50);
        assertEquals(24.0, r.latencyMs().get("p50"), 0.02); // 10 µs histogram buckets, and a batch's end rounds up to a ns
        assertEquals(24.0, r.latencyMs().get("p99"), 0.02);
        assertEquals(20.0, r.computeMsPerRequest(), 1e-6); // the executor measures what the batch took
    }

    @Test
    void concurrentBatchesShareTheCores() {
        // a request every 5 ms onto 10 ms batches, one at a time per replica, two replicas: alone they keep up
        // (each serves 100/s, offered 100/s each on average); on one 2-core host two batches at once run at half
        // speed, so the pair serves at most 100/s together against 200/s offered and the queue grows
        SimConfig c = SimFixtures.steady(200, 10, 60_000, Map.of("m", 2)).withEvenArrivals();
        RunResult alone = new Simulation(c, SimFixtures.oneVariant(0.8, 10, 1), HopLatencies.constant(1), "fixed-high", 1)
                .run(null);
        RunResult shared = new Simulation(c, SimFixtures.oneVariant(0.8, 10, 1), HopLatencies.constant(1),
                new SimEnvironment(new SharedHost(2, 2, 0, 0), null), "fixed-high", 1).run(null);
        assertTrue(shared.latencyMs().get("p99") > 4_000, "shared host p99 " + shared.latencyMs());
        assertTrue(alone.latencyMs().get("p99") < shared.latencyMs().get("p99") / 4, "alone " + alone.latencyMs());
        // every batch ran alone (10 ms) or beside another (20 ms): the mean is in between
        assertTrue(shared.computeMsPerRequest() > 15 && shared.computeMsPerRequest() <= 20.0 + 1e-6,
                "compute " + shared.computeMsPerRequest());
    }

    @Test
    void onASharedHostABatchAveragesItsP50TimesTheAloneFactor() {
        // the profile's p50 is 10 ms and its draw's mean 10.93 (the tail, see BatchCostTest); a host probe measures a mean
        // batch time against the p50, so beside the host a batch averages 2 x 10 ms, not 2 x 10.93
        SimConfig c = SimFixtures.steady(20, 60, 10_000, Map.of("m", 1)).withEvenArrivals();
        RunResult own = new Simulation(c, SimFixtures.oneSkewedVariant(10, 12, 30, 1), HopLatencies.constant(1), "fixed-high", 1)
                .run(null);
        RunResult shared = new Simulation(c, SimFixtures.oneSkewedVariant(10, 12, 30, 1), HopLatencies.constant(1),
                new SimEnvironment(new SharedHost(4, 2, 0, 0, 2.0), null), "fixed-high", 1).run(null);
        assertEquals(10.93, own.computeMsPerRequest(), 0.25);
        assertEquals(20.0, shared.computeMsPerRequest(), 0.5);
    }

    @Test
    void theTransportsCpuSlowsTheBatchesAtItsRequestRate() {
        // 20 ms of transport CPU a request at ~50/s is ~1 core: demand ~3 on 2 cores, a 10 ms batch takes ~15 ms
        RunResult r = run(new SharedHost(2, 2, 0, 20), 50);
        assertEquals(15.0, r.computeMsPerRequest(), 0.5);
        assertEquals(19.0, r.latencyMs().get("p50"), 0.6); // hops unchanged: 4 x 1 ms
    }

    @Test
    void theExecutorsPartOfTheTransportDoesNotCompeteWithTheirOwnBatches() {
        // 5 ms a request at 200/s is 1 core of transport; with 0.2 of it in the executors' loops, 0.8 core competes
        // with a batch whose replica takes every task, all of it with one whose replica takes none
        SharedHost h = new SharedHost(2, 2, 0, 5, 1, 1, 5, 1, 0.2);
        assertEquals(2.8, h.demand(1, 200, 200, 200), 1e-12);
        assertEquals(3.0, h.demand(1, 200, 200, 0), 1e-12);
        assertEquals(2.9, h.demand(1, 200, 200, 100), 1e-12);
        assertEquals(3.0, h.demand(1, 200), 1e-12, "without task rates: every task beside the batch");
        assertEquals(2 / 2.8, h.speed(1, 200, 200, 200), 1e-12);
        assertEquals(0.2, new SharedHost(2, 2, 0, 5).withExecutorShare(0.2).executorShare());
        assertEquals(0.2, h.slowedBy(2).executorShare(), "kept when slowed");
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 2, 0, 5).withExecutorShare(1.5));
        assertThrows(IllegalArgumentException.class, () -> new SharedHost(2, 2, 0, 5).withExecutorShare(Double.NaN));
    }

    @Test
    void aReplicaTakingEveryTaskRunsItsBatchesWithoutItsExecutorsPartOfTheTransport() {
        // as theTransportsCpuSlowsTheBatchesAtItsRequestRate, all of the transport in the executor's loop: the one replica
        // takes every task, so nothing competes with its batches and a 10 ms batch takes 10 ms
        assertEquals(10.0, run(new SharedHost(2, 2, 0, 20).withExecutorShare(1), 50).computeMsPerRequest(), 1e-6);
        double half = run(new SharedHost(2, 2, 0, 20).withExecutorShare(0.5), 50).computeMsPerRequest();
        assertTrue(half > 11.5 && half < 13.5, "half of it in the loop: about 12.5 ms, got " + half);
        // two replicas taking every other task: the other's tasks still cost its executor's loop beside this batch
        SimConfig c = SimFixtures.steady(50, 10, 1_000, Map.of("m", 2)).withEvenArrivals();
        double two = new Simulation(c, SimFixtures.oneVariant(0.8, 10, 1), HopLatencies.constant(1),
                new SimEnvironment(new SharedHost(2, 2, 0, 20).withExecutorShare(1), null), "fixed-high", 1).run(null)
                .computeMsPerRequest();
        assertTrue(two > 11 && two < 14, "half the tasks beside each batch: about 12.5 ms, got " + two);
    }
}
