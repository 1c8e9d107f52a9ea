package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.LINEAR;
import static dev.sluice.decision.policy.CatalogFixtures.profile;
import static dev.sluice.decision.policy.CatalogFixtures.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Variant;
import org.junit.jupiter.api.Test;

/** linear: p99 1 ms at batch 1, 4 ms at batch 8; max batch 8; max delay 2 ms. Overhead 10 ms. */
class LatencyEstimatorTest {
    private static final double EPS = 1e-9;
    private final LatencyEstimator estimator = new LatencyEstimator(10);

    private static VariantLoad queued(long n) {
        return new VariantLoad(n, 0, 0);
    }

    @Test
    void idleVariantCostsOverheadPlusDelayPlusBatchOfOne() {
        assertEquals(10 + 2 + 1.0, estimator.estimateMs(LINEAR, VariantLoad.IDLE), EPS);
        assertEquals(10.0, estimator.overheadMs());
    }

    @Test
    void queueAddsDrainTimeAndALargerInterpolatedBatch() {
        // 3 queued: join a batch of 4 (p99 1 + 3/7 * 3), after draining 3/8 of a full batch (4 ms)
        double batchOf4 = 1 + 3.0 / 7 * 3;
        assertEquals(10 + 2 + 3.0 / 8 * 4 + batchOf4, estimator.estimateMs(LINEAR, queued(3)), EPS);
        // 16 queued: two full batches to drain, then a full batch of 8
        assertEquals(10 + 2 + 8 + 4, estimator.estimateMs(LINEAR, queued(16)), EPS);
    }

    @Test
    void estimateGrowsWithQueue() {
        double previous = 0;
        for (long q = 0; q < 40; q++) {
            double est = estimator.estimateMs(LINEAR, queued(q));
            assertEquals(true, est > previous, "estimate must grow with the queue at q=" + q);
            previous = est;
        }
    }

    @Test
    void aLiveCostAboveTheProfilesDrainsTheQueueAtThatCost() {
        // profile: 4 ms per full batch of 8 = 0.5 ms a request; live: 3 ms a request
        double profiled = estimator.estimateMs(LINEAR, queued(16));
        double live = estimator.estimateMs(LINEAR, new VariantLoad(16, 0, 0, 3.0));
        assertEquals(16 * (3.0 - 0.5), live - profiled, EPS);
        assertEquals(profiled, estimator.estimateMs(LINEAR, new VariantLoad(16, 0, 0, 0.1)), EPS,
                "a live cost below the profile's changes nothing");
    }

    @Test
    void negativeQueueDepthCountsAsIdle() {
        assertEquals(estimator.estimateMs(LINEAR, VariantLoad.IDLE), estimator.estimateMs(LINEAR, queued(-5)), EPS);
    }

    @Test
    void batchIsCappedByTheLargestMeasuredBatch() {
        // configured for 32 but only measured up to 8: plan with batches of 8
        Variant v = variant("wide", 0.9, profile(1.0, 4.0), new BatchingConfig(32, 0));
        assertEquals(10 + 0 + 8 + 4, estimator.estimateMs(v, queued(16)), EPS);
    }

    @Test
    void batchIsCappedByTheConfiguredMaxBatch() {
        Variant v = variant("narrow", 0.9, profile(1.0, 4.0), new BatchingConfig(2, 0));
        double batchOf2 = 1 + 1.0 / 7 * 3;
        assertEquals(10 + 4.0 / 2 * batchOf2 + batchOf2, estimator.estimateMs(v, queued(4)), EPS);
    }

    @Test
    void negativeOverheadIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LatencyEstimator(-1));
    }

    @Test
    void drainsOnlyTheQueueAheadOnTheReplicaATaskLandsOn() {
        VariantLoad threeReplicas = new VariantLoad(java.util.Set.of("e1", "e2", "e3"), 48, 16, 0, 0, 0);
        assertEquals(estimator.estimateMs(LINEAR, queued(16)), estimator.estimateMs(LINEAR, threeReplicas), EPS);
        assertTrue(estimator.estimateMs(LINEAR, threeReplicas) < estimator.estimateMs(LINEAR, queued(48)));
    }
}
