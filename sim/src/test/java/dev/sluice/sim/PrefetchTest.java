package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.sim.hops.HopLatencies;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The executor's fetch after a long batch: when it is not back by the next poll (a full batch
 * waiting), what arrived while the batch ran waits through the next batch too.
 */
class PrefetchTest {
    /**
     * 250 requests/s, evenly paced, on one replica whose batches of up to 8 take 40 ms (200/s):
     * the queue stands, and the executor runs the newest tasks it holds first. With every fetch
     * back in time those are the ones that arrived during the last batch; with none back, the
     * ones from the batch before it.
     */
    private static List<SimOutcome> run(double fetchBackShare) {
        SimConfig c = SimFixtures.steady(250, 4, 300, Map.of("m", 1)).withEvenArrivals();
        List<SimOutcome> out = Collections.synchronizedList(new ArrayList<>());
        new Simulation(c, SimFixtures.oneVariant(0.9, 40, 8), HopLatencies.constant(1),
                new SimEnvironment(null, null).withRequestLog(out::add).withFetchBackShare(fetchBackShare), "fixed-high", 1)
                .run(null);
        return out;
    }

    /** The median queue time (selector to batch start) of the requests answered in time after the first second. */
    private static double medianQueueMs(List<SimOutcome> rows) {
        double[] q = rows.stream().filter(o -> o.onTime() && o.sentMs() >= 1_000).mapToDouble(o -> o.latency().queueMs())
                .sorted().toArray();
        assertTrue(q.length > 100, "enough answered requests to compare: " + q.length);
        return q[q.length / 2];
    }

    @Test
    void aFetchNotBackInTimeCostsTheTasksThatArrivedDuringABatchAnotherBatch() {
        double allBack = medianQueueMs(run(1.0));
        double noneBack = medianQueueMs(run(0.0));
        // about one 40 ms batch apart: the tasks that arrived while a batch ran wait out the next one too
        assertTrue(noneBack - allBack >= 30 && noneBack - allBack <= 50, "median queue " + allBack + " ms with every fetch "
                + "back, " + noneBack + " ms with none");
    }

    @Test
    void everyFetchBackIsTheDefaultAndAShareMustBeAProbability() {
        assertEquals(1.0, new SimEnvironment(null, null).fetchBackShare());
        assertEquals(medianQueueMs(run(1.0)), medianQueueMs(runDefault()));
        assertThrows(IllegalArgumentException.class, () -> new SimEnvironment(null, null).withFetchBackShare(1.5));
        assertThrows(IllegalArgumentException.class, () -> new SimEnvironment(null, null).withFetchBackShare(-0.1));
    }

    private static List<SimOutcome> runDefault() {
        SimConfig c = SimFixtures.steady(250, 4, 300, Map.of("m", 1)).withEvenArrivals();
        List<SimOutcome> out = Collections.synchronizedList(new ArrayList<>());
        new Simulation(c, SimFixtures.oneVariant(0.9, 40, 8), HopLatencies.constant(1),
                new SimEnvironment(null, null).withRequestLog(out::add), "fixed-high", 1).run(null);
        return out;
    }
}
