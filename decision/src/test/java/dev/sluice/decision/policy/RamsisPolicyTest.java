package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.TASK;
import static dev.sluice.decision.policy.LadderFixtures.ladder;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Overhead 10 ms, max delay 2 ms; p99 is twice the p50 of the ladder. Idle estimates: vgg-tta
 * 15, vgg 12.6, cnn-small 12.1 ms; a full batch of 32 takes vgg-tta 60 ms, vgg 12 ms.
 */
class RamsisPolicyTest {
    private final LatencyEstimator estimator = new LatencyEstimator(10);
    private final RamsisPolicy policy = new RamsisPolicy(estimator);
    private final Catalog catalog = ladder();

    private Selection decide(long slackMs, double floor, LoadSnapshot load) {
        return policy.decide(request("r", T0, slackMs, floor), catalog, load, T0);
    }

    private static LoadSnapshot everyVariantQueued(long n) {
        return queued("linear", n, "mlp", n, "cnn-small", n, "vgg", n, "vgg-tta", n);
    }

    @Test
    void aLullBuysTheMostAccurateVariant() {
        assertEquals(List.of("vgg-tta"), decide(100, 0, LoadSnapshot.IDLE).variants());
        assertEquals("ramsis", policy.name());
    }

    @Test
    void aQueueAtTheAccurateVariantMovesTheRequestDown() {
        // 64 queued at vgg-tta: 10 + 2 + 2 x 60 + 60 = 192 ms
        assertEquals(List.of("vgg"), decide(100, 0, queued("vgg-tta", 64)).variants());
    }

    @Test
    void longerQueuesNeverBuyMoreAccuracy() {
        double previous = 1;
        for (long q = 0; q <= 256; q++) {
            Selection s = decide(50, 0, everyVariantQueued(q));
            double accuracy = catalog.variant(s.variants().get(0)).orElseThrow().accuracy();
            assertTrue(accuracy <= previous, "queue " + q + " chose " + s.variants());
            previous = accuracy;
        }
        assertEquals(List.of("vgg-tta"), decide(50, 0, everyVariantQueued(0)).variants());
        assertEquals(List.of("cnn-small"), decide(50, 0, everyVariantQueued(256)).variants());
    }

    @Test
    void theTableIsNeverOptimistic() {
        QueueStateTable table = policy.table(catalog, TASK);
        List<Variant> rows = table.byAccuracyDesc();
        for (int row = 0; row < rows.size(); row++) {
            for (long q = 0; q <= 256; q++) {
                for (double slack = 0.5; slack < 2_000; slack *= 1.07) {
                    if (Boolean.TRUE.equals(table.fits(row, q, slack))) {
                        double est = estimator.estimateMs(rows.get(row), new VariantLoad(q, 0, 0));
                        assertTrue(est <= slack, rows.get(row).id() + " q=" + q + " slack=" + slack + " est=" + est);
                    }
                }
            }
        }
        assertEquals("vgg-tta", table.mostAccurate(0, 100).id());
        assertEquals("vgg", table.mostAccurate(64, 100).id());
        assertNull(table.mostAccurate(0, 5));
        assertNull(table.fits(0, 257, 100), "past the last queue bucket the table does not say");
    }

    @Test
    void queuesPastTheTableUseTheLiveEstimate() {
        // 1000 queued everywhere: cnn-small 12 + 31.25 x 1.76 + 1.76 = 68.8 ms fits, vgg (387 ms) does not
        assertEquals(List.of("cnn-small"), decide(100, 0, everyVariantQueued(1_000)).variants());
    }

    @Test
    void bucketRoundingNeverTurnsARequestAway() {
        // 13 ms left rounds down to the 11.6 ms bucket, where nothing fits; vgg (12.6 ms) does
        Selection s = decide(13, 0, LoadSnapshot.IDLE);
        assertTrue(s.serve(), s.reason());
        assertEquals(List.of("vgg"), s.variants());
    }

    @Test
    void tablesAreRebuiltForANewCatalog() {
        QueueStateTable first = policy.table(catalog, TASK);
        assertSame(first, policy.table(catalog, TASK));
        Catalog faster = catalog.with(LadderFixtures.rung("vgg-tta", 0.934, 0.1, 0.2, 0.5));
        assertNotSame(first, policy.table(faster, TASK));
        // with a fast vgg-tta even a long queue leaves it in time
        Selection s = policy.decide(request("r", T0, 50, 0), faster, everyVariantQueued(256), T0);
        assertEquals(List.of("vgg-tta"), s.variants());
    }

    @Test
    void respectsTheFloorAndRejectsWithTheReason() {
        assertEquals(List.of("vgg-tta"), decide(100, 0.93, LoadSnapshot.IDLE).variants());
        Selection floor = decide(100, 0.95, LoadSnapshot.IDLE);
        assertFalse(floor.serve());
        assertTrue(floor.reason().contains("reaches min_accuracy 0.9500 (best 0.9340)"), floor.reason());
        Selection late = decide(100, 0.93, queued("vgg-tta", 64));
        assertFalse(late.serve());
        assertTrue(late.reason().contains("fastest predicted 192.0 ms, 100.0 ms left"), late.reason());
        Selection task = policy.decide(new SelectionRequest("r", "speech", T0, T0 + 100, 0, 0, null, List.of()),
                catalog, LoadSnapshot.IDLE, T0);
        assertTrue(task.reason().contains("'speech'"), task.reason());
    }
}
