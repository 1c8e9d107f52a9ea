package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.BATCHING;
import static dev.sluice.decision.policy.CatalogFixtures.LINEAR;
import static dev.sluice.decision.policy.CatalogFixtures.MLP;
import static dev.sluice.decision.policy.CatalogFixtures.NO_ACCURACY;
import static dev.sluice.decision.policy.CatalogFixtures.ORACLE;
import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.TASK;
import static dev.sluice.decision.policy.CatalogFixtures.catalog;
import static dev.sluice.decision.policy.CatalogFixtures.profile;
import static dev.sluice.decision.policy.CatalogFixtures.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Overhead 10 ms, max delay 2 ms, so idle estimates are linear 13, mlp 15, cnn 22 ms.
 * Accuracies: linear 0.84, mlp 0.88, cnn 0.92; unprofiled oracle 0.99.
 */
class InfaasPolicyTest {
    private final LatencyEstimator estimator = new LatencyEstimator(10);
    private final InfaasPolicy policy = new InfaasPolicy(estimator);
    private final Catalog catalog = catalog();

    private static SelectionRequest req(double minAccuracy, long deadlineAfterT0) {
        return new SelectionRequest("r1", TASK, T0 - 5, T0 + deadlineAfterT0, 0, minAccuracy, null, List.of("image"));
    }

    private Selection decide(double minAccuracy, long deadlineAfterT0, LoadSnapshot load) {
        return policy.decide(req(minAccuracy, deadlineAfterT0), catalog, load, T0);
    }

    @Test
    void name() {
        assertEquals("infaas", policy.name());
    }

    @Test
    void picksTheCheapestVariantWhenAnyAccuracyWillDo() {
        Selection s = decide(0.0, 100, LoadSnapshot.IDLE);
        assertTrue(s.serve());
        assertEquals(List.of("linear"), s.variants());
        assertEquals(13.0, s.estimatedLatencyMs(), 1e-9);
    }

    @Test
    void picksTheCheapestVariantMeetingTheAccuracyFloor() {
        assertEquals(List.of("mlp"), decide(0.85, 100, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("mlp"), decide(0.88, 100, LoadSnapshot.IDLE).variants(), "the floor is inclusive");
        assertEquals(List.of("cnn"), decide(0.90, 100, LoadSnapshot.IDLE).variants());
    }

    @Test
    void deadlineIsInclusiveOfTheEstimate() {
        assertEquals(List.of("linear"), decide(0.0, 13, LoadSnapshot.IDLE).variants());
        Selection s = decide(0.0, 12, LoadSnapshot.IDLE);
        assertFalse(s.serve());
    }

    @Test
    void skipsAVariantTooSlowUnderItsQueue() {
        // linear with 100 queued: 10 + 2 + 100/8 * 4 + 4 = 66 ms; mlp idle 15 ms
        LoadSnapshot load = new LoadSnapshot(Map.of("linear", new VariantLoad(100, 500, T0)));
        Selection s = decide(0.0, 30, load);
        assertTrue(s.serve());
        assertEquals(List.of("mlp"), s.variants());
        assertEquals(15.0, s.estimatedLatencyMs(), 1e-9);
    }

    @Test
    void rejectsWhenNoVariantReachesTheAccuracyFloor() {
        // the unprofiled oracle (0.99) would, but it has no profile
        Selection s = decide(0.95, 1_000, LoadSnapshot.IDLE);
        assertFalse(s.serve());
        assertTrue(s.variants().isEmpty());
        assertTrue(s.reason().contains("no variant of 'fashion-mnist' reaches min_accuracy 0.9500"), s.reason());
        assertTrue(s.reason().contains("best 0.9200"), s.reason());
    }

    @Test
    void rejectsWhenNoAccurateEnoughVariantFinishesInTime() {
        // mlp (15 ms) and cnn (22 ms) are accurate enough; 14 ms left
        Selection s = decide(0.85, 14, LoadSnapshot.IDLE);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("finishes in time"), s.reason());
        assertTrue(s.reason().contains("fastest predicted 15.0 ms"), s.reason());
        assertTrue(s.reason().contains("14.0 ms left"), s.reason());
    }

    @Test
    void ignoresUnprofiledVariants() {
        // only the unprofiled oracle and the accuracy-less variant serve this task
        Catalog c = new Catalog(List.of(ORACLE, NO_ACCURACY));
        Selection s = policy.decide(req(0, 1_000), c, LoadSnapshot.IDLE, T0);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("no profiled variant serves task 'fashion-mnist'"), s.reason());
    }

    @Test
    void unprofiledVariantsNeverWinEvenWhenCheaperOrMoreAccurate() {
        // NO_ACCURACY has the cheapest profile; ORACLE the best accuracy; neither is measured fully
        Catalog c = new Catalog(List.of(NO_ACCURACY, ORACLE, MLP, LINEAR));
        assertEquals(List.of("linear"), policy.decide(req(0, 1_000), c, LoadSnapshot.IDLE, T0).variants());
        assertEquals(List.of("mlp"), policy.decide(req(0.85, 1_000), c, LoadSnapshot.IDLE, T0).variants());
    }

    @Test
    void unknownTaskIsRejected() {
        SelectionRequest r = new SelectionRequest("r1", "speech", T0, T0 + 1_000, 0, 0, null, List.of("audio"));
        Selection s = policy.decide(r, catalog, LoadSnapshot.IDLE, T0);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("'speech'"), s.reason());
    }

    @Test
    void cheapestIsByProfiledLatencyNotCatalogOrder() {
        // a faster copy of cnn listed last becomes the cheapest accurate variant
        Catalog c = new Catalog(List.of(LINEAR, MLP, variant("fast-cnn", 0.92, profile(0.5, 2.0), BATCHING)));
        assertEquals(List.of("fast-cnn"), policy.decide(req(0.85, 1_000), c, LoadSnapshot.IDLE, T0).variants());
    }
}
