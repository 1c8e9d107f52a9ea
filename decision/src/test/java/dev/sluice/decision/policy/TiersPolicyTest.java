package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.LadderFixtures.ladder;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class TiersPolicyTest {
    private final Catalog catalog = ladder();
    private final TiersPolicy policy = new TiersPolicy(new LatencyEstimator(10));

    private Selection decide(String tier, double floor, long slackMs, LoadSnapshot load) {
        return policy.decide(request(T0, slackMs, floor, 0, tier), catalog, load, T0);
    }

    @Test
    void eachTierMapsToItsVariantSet() {
        assertEquals(List.of("linear"), decide("low", 0, 100, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("cnn-small"), decide("medium", 0, 100, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("vgg-tta"), decide("high", 0, 100, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("vgg-tta", "vgg"), decide("ensemble-high", 0, 100, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("vgg-tta"), decide(" HIGH ", 0, 100, LoadSnapshot.IDLE).variants());
        assertEquals("tiers", policy.name());
    }

    @Test
    void theEnsembleIsAsLateAsItsSlowestMember() {
        Selection s = decide("ensemble-high", 0, 100, LoadSnapshot.IDLE);
        assertEquals(15.0, s.estimatedLatencyMs(), 1e-9); // vgg-tta 15 ms, vgg 12.6 ms
    }

    @Test
    void noTierOrAnUnknownOneFallsBackToTheFloor() {
        assertEquals(List.of("linear"), decide(null, 0, 100, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("cnn-small"), decide("", 0.91, 100, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("mlp"), decide("platinum", 0.85, 100, LoadSnapshot.IDLE).variants());
    }

    @Test
    void aTierIsAPromiseNotSwappedForAnother() {
        Selection floor = decide("low", 0.9, 100, LoadSnapshot.IDLE);
        assertFalse(floor.serve());
        assertTrue(floor.reason().contains("tier 'low' serves [linear] (accuracy 0.8450), below min_accuracy 0.9000"),
                floor.reason());
        Selection late = decide("high", 0, 100, queued("vgg-tta", 64));
        assertFalse(late.serve());
        assertTrue(late.reason().contains("tier 'high' ([vgg-tta]) does not finish in time: predicted 192.0 ms"),
                late.reason());
    }

    @Test
    void aShortLadderStillServesEveryTier() {
        Catalog one = new Catalog(List.of(LadderFixtures.MLP));
        for (String tier : List.of("low", "medium", "high", "ensemble-high")) {
            Selection s = policy.decide(request(T0, 100, 0, 0, tier), one, LoadSnapshot.IDLE, T0);
            assertEquals(List.of("mlp"), s.variants(), tier);
        }
    }
}
