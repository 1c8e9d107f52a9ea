package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.MultimodalFixtures.AUDIO;
import static dev.sluice.decision.policy.MultimodalFixtures.BOTH;
import static dev.sluice.decision.policy.MultimodalFixtures.IMAGE;
import static dev.sluice.decision.policy.MultimodalFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The all-modalities and image-only baselines on {@link MultimodalFixtures}' catalog, 10 ms overhead. */
class ModalityBaselinePolicyTest {
    private final LatencyEstimator estimator = new LatencyEstimator(10);
    private final ModalityBaselinePolicy all = ModalityBaselinePolicy.allModalities(estimator);
    private final ModalityBaselinePolicy image = ModalityBaselinePolicy.imageOnly(estimator);
    private final Catalog catalog = MultimodalFixtures.catalog();

    private static Selection decide(SelectionPolicy p, Catalog c, double floor, long slack, List<String> m, LoadSnapshot load) {
        return p.decide(request(T0, slack, floor, m), c, load, T0);
    }

    private List<String> modalitiesOf(Selection s) {
        return catalog.variant(s.variants().get(0)).orElseThrow().modalities();
    }

    @Test
    void names() {
        assertEquals("all-modalities", all.name());
        assertEquals("image-only", image.name());
    }

    @Test
    void allModalitiesUsesEveryModalityPresentEvenWhenAnImageVariantWouldDo() {
        // mosel picks mlp here; the baseline only has the fusion variants for a two-part request
        assertEquals(List.of("fusion-lite"), decide(all, catalog, 0.85, 100, BOTH, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("fusion-cnn"), decide(all, catalog, 0.94, 100, BOTH, LoadSnapshot.IDLE).variants());
        // for an image-only request "every modality present" is the image
        assertEquals(List.of("mlp"), decide(all, catalog, 0.85, 100, IMAGE, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("audio-cnn"), decide(all, catalog, 0.5, 100, AUDIO, LoadSnapshot.IDLE).variants());
    }

    @Test
    void allModalitiesNeverShedsAModalityUnderLoad() {
        // fusion-cnn too slow (142.5 ms): the best fusion in time is fusion-lite, below the floor, not vgg
        Selection s = decide(all, catalog, 0.94, 50, BOTH, queued("fusion-cnn", 200));
        assertEquals(List.of("fusion-lite"), s.variants());
        assertEquals(new MoselPolicy.Counts(0, 1, 0, 0, 0), all.counts());
        // both fusion variants deep: fusion-lite 12 + 2000 * 1.8/32 + 1.8 = 126.3 ms; it rejects where mosel serves vgg
        LoadSnapshot deep = queued("fusion-cnn", 200, "fusion-lite", 2_000);
        Selection r = decide(all, catalog, 0.94, 50, BOTH, deep);
        assertFalse(r.serve());
        assertTrue(r.reason().contains("fastest predicted 126.3 ms (fusion-lite), 50.0 ms left"), r.reason());
        assertEquals(List.of("vgg"), decide(new MoselPolicy(estimator), catalog, 0.94, 50, BOTH, deep).variants());
        for (double floor = 0; floor <= 0.95; floor += 0.01) {
            Selection x = decide(all, catalog, floor, 50, BOTH, queued("fusion-cnn", 200));
            assertTrue(!x.serve() || List.of("audio", "image").equals(
                    MultimodalFixtures.catalog().variant(x.variants().get(0)).orElseThrow().modalities().stream().sorted().toList()),
                    floor + " -> " + x);
        }
    }

    @Test
    void imageOnlyNeverPicksAnAudioOrFusionVariant() {
        for (List<String> m : List.of(IMAGE, BOTH)) {
            for (LoadSnapshot load : List.of(LoadSnapshot.IDLE, queued("vgg", 200), queued("linear", 100_000, "mlp", 100_000))) {
                for (double floor = 0; floor <= 0.95; floor += 0.01) {
                    Selection s = decide(image, catalog, floor, 50, m, load);
                    assertTrue(!s.serve() || IMAGE.equals(modalitiesOf(s)), floor + " " + m + " -> " + s);
                }
            }
        }
        assertEquals(List.of("mlp"), decide(image, catalog, 0.9, 100, BOTH, LoadSnapshot.IDLE).variants());
        Selection high = decide(image, catalog, 0.94, 100, BOTH, LoadSnapshot.IDLE);
        assertFalse(high.serve(), "fusion-cnn would meet .94; image-only does not use it");
        assertTrue(high.reason().contains("best 0.9340"), high.reason());
        Selection audio = decide(image, catalog, 0, 100, AUDIO, LoadSnapshot.IDLE);
        assertFalse(audio.serve());
        assertTrue(audio.reason().contains("using exactly [image] (request has [audio])"), audio.reason());
    }

    @Test
    void imageOnlyUnderLoadFallsBackToTheMostAccurateImageVariantInTime() {
        // vgg 99 ms at 200 queued; cnn-small .912 is in time
        Selection s = decide(image, catalog, 0.93, 50, BOTH, queued("vgg", 200));
        assertEquals(List.of("cnn-small"), s.variants());
        assertEquals(1, image.counts().belowFloor());
        assertEquals(1, image.counts().modalitiesDropped(), "the request carried audio too");
    }
}
