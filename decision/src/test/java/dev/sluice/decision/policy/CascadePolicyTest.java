package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Cascade;
import dev.sluice.models.Catalog;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ladder (linear .845, mlp .894, cnn-small .915, vgg .927, vgg-tta .934), 10 ms overhead,
 * with cascades whose validation gains over their last stage are listed: on the test scale
 * cnn-small>vgg-tta@0.9 promises .934 - .001 = .933 and cnn-small>vgg-tta@0.97 .934 (its +.001
 * is not credited: a cascade never promises more than its last stage).
 */
class CascadePolicyTest {
    private static final Cascade CNN_TTA_90 = new Cascade(List.of("cnn-small", "vgg-tta"), 0.9, 0.941, 0.22, 0.942);
    private static final Cascade CNN_TTA_97 = new Cascade(List.of("cnn-small", "vgg-tta"), 0.97, 0.943, 0.33, 0.942);
    private static final Cascade MLP_VGG_80 = new Cascade(List.of("mlp", "vgg"), 0.8, 0.936, 0.3, 0.937);

    private final Catalog catalog = LadderFixtures.ladder().withCascades(List.of(CNN_TTA_90, CNN_TTA_97, MLP_VGG_80));
    private final CascadePolicy policy = new CascadePolicy(new LatencyEstimator(10));

    private Selection decide(double floor, long slackMs, LoadSnapshot load) {
        return policy.decide(request("r", T0, slackMs, floor), catalog, load, T0);
    }

    @Test
    void aLowFloorIsServedByTheCheapestSingleVariant() {
        Selection s = decide(0.8, 200, LoadSnapshot.IDLE);
        assertEquals(List.of("linear"), s.variants());
        assertFalse(s.isCascade());
    }

    @Test
    void aFloorAtTheTopRungIsMetByACascadeForLessComputeThanTheRungAlone() {
        Selection s = decide(0.934, 200, LoadSnapshot.IDLE);
        assertTrue(s.isCascade());
        assertEquals(List.of("cnn-small", "vgg-tta"), s.variants());
        assertEquals(0.97, s.escalateBelow());
        assertEquals("CASCADE", s.vote());
    }

    @Test
    void aFloorJustUnderTheTopPrefersTheCheaperThreshold() {
        Selection s = decide(0.93, 200, LoadSnapshot.IDLE);
        assertTrue(s.isCascade());
        // mlp>vgg promises .926 < .93; cnn>tta@.9 promises .933 and escalates less than @.97
        assertEquals(0.9, s.escalateBelow());
    }

    @Test
    void aPositiveValidationGainIsNotCreditedAboveTheLastStage() {
        Catalog withGain = LadderFixtures.ladder().withCascades(List.of(
                new Cascade(List.of("mlp", "vgg"), 0.97, 0.94, 0.36, 0.93)));
        // mlp>vgg measured +.01 over vgg on validation; vgg's own .927 is all it promises
        Selection s = policy.decide(request("r", T0, 200, 0.93), withGain, LoadSnapshot.IDLE, T0);
        assertFalse(s.isCascade(), "credited .937 it would have served; capped at .927 it does not: " + s);
        assertEquals(List.of("vgg-tta"), s.variants());
    }

    @Test
    void whenBothStagesInSequenceDoNotFitTheDeadlineASingleVariantServesOrItIsRejected() {
        // idle: cnn-small 12.1, vgg-tta 15 ms: the cascade's worst case is 27.1 ms
        Selection tight = decide(0.934, 20, LoadSnapshot.IDLE);
        assertEquals(List.of("vgg-tta"), tight.variants());
        assertFalse(tight.isCascade());
        Selection tooTight = decide(0.934, 10, LoadSnapshot.IDLE);
        assertFalse(tooTight.serve());
        assertTrue(tooTight.reason().contains("finishes in time"), tooTight.reason());
    }

    @Test
    void aQueueAtTheSecondStageCountsAgainstTheCascade() {
        Selection s = decide(0.934, 60, queued("vgg-tta", 64));
        assertFalse(s.serve(), "vgg-tta's queue makes every way to .934 too slow: " + s);
    }

    @Test
    void aFloorNothingReachesIsRejectedWithTheBestOnOffer() {
        Selection s = decide(0.99, 200, LoadSnapshot.IDLE);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("min_accuracy 0.9900"), s.reason());
    }
}
