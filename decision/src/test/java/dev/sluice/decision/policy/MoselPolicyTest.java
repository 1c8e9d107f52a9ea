package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.MultimodalFixtures.AUDIO;
import static dev.sluice.decision.policy.MultimodalFixtures.BOTH;
import static dev.sluice.decision.policy.MultimodalFixtures.IMAGE;
import static dev.sluice.decision.policy.MultimodalFixtures.TASK;
import static dev.sluice.decision.policy.MultimodalFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** See {@link MultimodalFixtures} for the catalog's accuracies, costs and idle estimates (10 ms overhead). */
class MoselPolicyTest {
    private final LatencyEstimator estimator = new LatencyEstimator(10);
    private final MoselPolicy policy = new MoselPolicy(estimator);
    private final Catalog catalog = MultimodalFixtures.catalog();

    private Selection decide(double floor, long slackMs, List<String> modalities, LoadSnapshot load) {
        return policy.decide(request(T0, slackMs, floor, modalities), catalog, load, T0);
    }

    private List<String> modalitiesOf(Selection s) {
        return catalog.variant(s.variants().get(0)).orElseThrow().modalities();
    }

    @Test
    void name() {
        assertEquals("mosel", policy.name());
    }

    @Test
    void strategyTableKeepsTheNonDominatedVariantsOfEachSubsetCheapestFirst() {
        ModalityStrategyTable t = ModalityStrategyTable.of(catalog, TASK);
        assertEquals(Set.of(List.of("image"), List.of("audio"), List.of("audio", "image")), t.subsets());
        assertEquals(List.of("linear", "mlp", "cnn-small", "vgg"), ids(t.exactly(IMAGE)));
        assertEquals(List.of("audio-cnn"), ids(t.exactly(AUDIO)), "audio-wide costs more for less accuracy");
        assertEquals(List.of("fusion-lite", "fusion-cnn"), ids(t.exactly(List.of("audio", "image"))));
        assertEquals(ids(t.exactly(List.of("audio", "image"))), ids(t.exactly(BOTH)), "subsets are unordered");
        assertEquals(Set.of("audio-wide", "fusion-wide"), Set.copyOf(t.dominated()));
        assertEquals(List.of("linear", "mlp", "audio-cnn", "cnn-small", "fusion-lite", "vgg", "fusion-cnn"), ids(t.all()));
        assertEquals(List.of("linear", "mlp", "cnn-small", "vgg"), ids(t.usableWith(IMAGE)));
        assertEquals(9.0 / 32, t.variant("fusion-cnn").msPerRequest(), 1e-12);
        assertEquals("fusion-wide", t.variant("fusion-wide").id(), "dominated ones stay findable by id");
        assertNull(t.variant("fusion-oracle"), "unprofiled variants are not in the table");
        assertNull(t.variant("cnn"), "another task's variant is not in the table");
    }

    @Test
    void aVariantNoMoreAccurateAtTheSameCostIsDominatedToo() {
        Variant twin = MultimodalFixtures.variant("vgg-twin", IMAGE, 0.934, 0.3, 1.6, 6.0);
        Variant better = MultimodalFixtures.variant("vgg-better", IMAGE, 0.936, 0.3, 1.6, 6.0);
        ModalityStrategyTable t = ModalityStrategyTable.of(new Catalog(List.of(MultimodalFixtures.VGG, twin, better)), TASK);
        assertEquals(List.of("vgg-better"), ids(t.exactly(IMAGE)));
        assertEquals(Set.of("vgg", "vgg-twin"), Set.copyOf(t.dominated()));
    }

    @Test
    void theTableIsBuiltOncePerCatalogAndTask() {
        ModalityStrategyTable t = policy.table(catalog, TASK);
        assertSame(t, policy.table(catalog, TASK));
        assertNotSame(t, policy.table(MultimodalFixtures.catalog(), TASK), "a new catalog instance gets a new table");
    }

    @Test
    void atLowLoadAHighFloorGetsFusionAndALowFloorAnImageOnlyVariant() {
        Selection high = decide(0.94, 100, BOTH, LoadSnapshot.IDLE);
        assertEquals(List.of("fusion-cnn"), high.variants());
        assertEquals(13.0, high.estimatedLatencyMs(), 1e-9);
        // vgg (.934, image only) is cheaper than fusion-cnn and meets .93
        assertEquals(List.of("vgg"), decide(0.93, 100, BOTH, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("mlp"), decide(0.85, 100, BOTH, LoadSnapshot.IDLE).variants());
        assertEquals(List.of("linear"), decide(0.0, 100, BOTH, LoadSnapshot.IDLE).variants());
        assertEquals(new MoselPolicy.Counts(4, 0, 0, 0, 0), policy.counts());
    }

    @Test
    void anImageOnlyRequestNeverGetsAFusionOrAudioVariant() {
        List<LoadSnapshot> loads = List.of(LoadSnapshot.IDLE, queued("vgg", 500, "cnn-small", 500),
                queued("linear", 100_000, "mlp", 100_000, "cnn-small", 10_000, "vgg", 500));
        for (LoadSnapshot load : loads) {
            for (double floor = 0; floor <= 0.95; floor += 0.01) {
                Selection s = decide(floor, 60, IMAGE, load);
                if (s.serve()) {
                    assertEquals(IMAGE, modalitiesOf(s), floor + " " + load + " -> " + s);
                }
            }
        }
        // fusion-cnn (.945) would meet .94, but the audio part is not there
        Selection s = decide(0.94, 1_000, IMAGE, LoadSnapshot.IDLE);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("using only modalities [image] reaches min_accuracy 0.9400 (best 0.9340)"), s.reason());
    }

    @Test
    void anAudioOnlyRequestGetsTheAudioVariant() {
        assertEquals(List.of("audio-cnn"), decide(0.7, 100, AUDIO, LoadSnapshot.IDLE).variants());
        assertFalse(decide(0.8, 100, AUDIO, LoadSnapshot.IDLE).serve());
    }

    @Test
    void underLoadItShedsTheAudioModalityInTimeInsteadOfRejecting() {
        // fusion-cnn with 200 queued: 12 + 200 * 18/32 + 18 = 142.5 ms, over the 50 ms left (fusion-wide, .94, 186 ms)
        LoadSnapshot load = queued("fusion-cnn", 200, "fusion-wide", 200);
        Selection s = decide(0.94, 50, BOTH, load);
        assertTrue(s.serve(), s.toString());
        assertEquals(List.of("vgg"), s.variants(), "the most accurate candidate in time");
        assertEquals(12.6, s.estimatedLatencyMs(), 1e-9);
        assertEquals(new MoselPolicy.Counts(0, 1, 1, 0, 0), policy.counts());
        // INFaaS over the same catalog can only turn it away
        assertFalse(new InfaasPolicy(estimator).decide(request(T0, 50, 0.94, BOTH), catalog, load, T0).serve());
    }

    @Test
    void aDominatedVariantNeverServesEvenWhenIdle() {
        // fusion-wide (.94, 12/32 ms a request) is dominated by fusion-cnn (.945, 9/32): the table dropped it offline,
        // so with fusion-cnn queued the request sheds to vgg although fusion-wide is idle and would meet .94
        Selection s = decide(0.94, 50, BOTH, queued("fusion-cnn", 200));
        assertEquals(List.of("vgg"), s.variants());
        assertEquals(List.of("fusion-wide"),
                new InfaasPolicy(estimator).decide(request(T0, 50, 0.94, BOTH), catalog, queued("fusion-cnn", 200), T0).variants(),
                "INFaaS, which keeps every variant, takes it");
    }

    @Test
    void underLoadTheShedPickIsTheMostAccurateInTimeNotTheCheapest() {
        LoadSnapshot load = queued("fusion-cnn", 200, "vgg", 200);
        // vgg: 12 + 200 * 12/32 + 12 = 99 ms; cnn-small (.912) is the best left
        assertEquals(List.of("cnn-small"), decide(0.94, 50, BOTH, load).variants());
    }

    @Test
    void sheddingNeverMovesWorkOntoACostlierVariant() {
        // big-image (.938) costs 20/32 ms a request, more than fusion-cnn (9/32), the cheapest meeting .94; idle, it
        // would fit the deadline, but under load the shed pick must spend less: vgg (.934, 6/32)
        Variant big = MultimodalFixtures.variant("big-image", IMAGE, 0.938, 0.4, 4.0, 20.0);
        List<Variant> all = new java.util.ArrayList<>(catalog.variants());
        all.add(big);
        Catalog withBig = new Catalog(all);
        Selection s = new MoselPolicy(estimator).decide(request(T0, 50, 0.94, BOTH), withBig, queued("fusion-cnn", 200), T0);
        assertEquals(List.of("vgg"), s.variants());
    }

    @Test
    void rejectsOnlyWhenNothingFitsNamingTheFastestAndTheTimeLeft() {
        Selection s = decide(0.94, 5, BOTH, LoadSnapshot.IDLE);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("fastest predicted 12.0 ms (linear), 5.0 ms left to the deadline"), s.reason());
        assertEquals(1, policy.counts().rejected());
    }

    @Test
    void aLongQueueSpillsToAnIdleAtLeastAsAccurateVariantOfSimilarCost() {
        // vgg (cheapest meeting .93) with a full batch queued: 12 + 32 * .375 + 12 = 36 ms; fusion-cnn idle 13 ms,
        // .945 >= .934, and .281 ms a request is within twice vgg's .1875
        Selection s = decide(0.93, 100, BOTH, queued("vgg", 32));
        assertEquals(List.of("fusion-cnn"), s.variants());
        assertEquals(13.0, s.estimatedLatencyMs(), 1e-9);
        assertEquals(1, policy.counts().spilled());
        assertEquals(List.of("vgg"), decide(0.93, 100, BOTH, queued("vgg", 31)).variants(), "under a full batch: no spill");
        assertEquals(List.of("vgg"), decide(0.93, 100, IMAGE, queued("vgg", 32)).variants(), "fusion needs the audio part");
        assertEquals(List.of("vgg"), decide(0.93, 100, BOTH, queued("vgg", 32, "fusion-cnn", 1)).variants(),
                "the target must be idle");
    }

    @Test
    void itNeverSpillsOntoAFarCostlierVariant() {
        // mlp with a full batch queued; the idle variants at least as accurate (cnn-small .0275, vgg...) cost over 2x mlp's .0053
        assertEquals(List.of("mlp"), decide(0.85, 100, BOTH, queued("mlp", 64)).variants());
        MoselPolicy noSpill = new MoselPolicy(estimator, new MoselPolicy.Config(0));
        assertEquals(List.of("vgg"),
                noSpill.decide(request(T0, 100, 0.93, BOTH), catalog, queued("vgg", 32), T0).variants());
    }

    @Test
    void filtersByTheRequestsModalitiesEvenOnAnUnrestrictedCatalog() {
        // the selector restricts the catalog; this one is not, and still no fusion for an image-only request
        for (long slack : new long[] {20, 100, 1_000}) {
            Selection s = decide(0.9, slack, IMAGE, queued("vgg", 10_000, "cnn-small", 10_000, "mlp", 100_000));
            assertTrue(!s.serve() || IMAGE.equals(modalitiesOf(s)), s.toString());
        }
        Selection none = decide(0, 1_000, List.of(), LoadSnapshot.IDLE);
        assertFalse(none.serve());
        assertTrue(none.reason().contains("using only modalities []"), none.reason());
    }

    @Test
    void unprofiledVariantsNeverServe() {
        // fusion-oracle (.99) is unprofiled: a .99 floor is out of reach
        Selection s = decide(0.99, 1_000, BOTH, LoadSnapshot.IDLE);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("best 0.9450"), s.reason());
    }

    @Test
    void unknownTaskIsRejected() {
        SelectionRequest r = new SelectionRequest("r", "speech", T0, T0 + 1_000, 0, 0, null, AUDIO);
        Selection s = policy.decide(r, catalog, LoadSnapshot.IDLE, T0);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("no profiled variant serves task 'speech'"), s.reason());
    }

    @Test
    void aServedTaskMayBeReplannedToCheaperVariantsOfItsModalitiesMostAccurateFirst() {
        Selection fusion = decide(0.94, 100, BOTH, LoadSnapshot.IDLE);
        assertEquals(List.of("fusion-cnn"), fusion.variants());
        // every candidate is cheaper per request than fusion-cnn; the three most accurate, whatever their modalities
        assertEquals(List.of("vgg", "cnn-small", "mlp"), fusion.fallbacks());

        Selection image = decide(0.93, 100, IMAGE, LoadSnapshot.IDLE);
        assertEquals(List.of("vgg"), image.variants());
        assertEquals(List.of("cnn-small", "mlp", "linear"), image.fallbacks(), "image-only: only image variants");

        Selection cheapest = decide(0.8, 100, IMAGE, LoadSnapshot.IDLE);
        assertEquals(List.of("linear"), cheapest.variants());
        assertTrue(cheapest.fallbacks().isEmpty(), "nothing is cheaper than the cheapest");

        Selection one = new MoselPolicy(estimator, new MoselPolicy.Config(2.0, 1)).decide(
                request(T0, 100, 0.94, BOTH), catalog, LoadSnapshot.IDLE, T0);
        assertEquals(List.of("vgg"), one.fallbacks());
        Selection off = new MoselPolicy(estimator, new MoselPolicy.Config(2.0, 0)).decide(
                request(T0, 100, 0.94, BOTH), catalog, LoadSnapshot.IDLE, T0);
        assertEquals(List.of("fusion-cnn"), off.variants());
        assertTrue(off.fallbacks().isEmpty(), "0 fallbacks turns re-planning off");
    }

    /** The fixtures' catalog with substitutes: mlp answers like vgg on 96% of the split, cnn-small on 95.5%. */
    private Catalog withSubstitutes() {
        return new Catalog(catalog.variants(), List.of(), List.of(), List.of(
                new dev.sluice.models.Substitute("vgg", "mlp", 0.96), new dev.sluice.models.Substitute("vgg", "cnn-small", 0.955),
                new dev.sluice.models.Substitute("fusion-cnn", "fusion-lite", 0.97)));
    }

    @Test
    void underLoadItShedsToTheSubstituteOfTheVariantThatWouldHaveServed() {
        // vgg (cheapest meeting .93) queued 200: 99 ms > 50 left; cnn-small (.912) is the most accurate in time, but
        // mlp (.90) labels like vgg more often: equivalence sheds to it
        LoadSnapshot load = queued("vgg", 200, "fusion-cnn", 200);
        Catalog subs = withSubstitutes();
        Selection s = policy.decide(request(T0, 50, 0.93, IMAGE), subs, load, T0);
        assertEquals(List.of("mlp"), s.variants());
        assertEquals(1, policy.counts().substituted());
        assertEquals(1, policy.counts().belowFloor());
        MoselPolicy byAccuracy = MoselPolicy.accuracyOnly(estimator);
        assertEquals("mosel-accuracy", byAccuracy.name());
        assertEquals(List.of("cnn-small"), byAccuracy.decide(request(T0, 50, 0.93, IMAGE), subs, load, T0).variants(),
                "by accuracy alone");
        assertEquals(0, byAccuracy.counts().substituted());
        // a substitute not in time is passed over for the most accurate that is
        LoadSnapshot mlpBusy = queued("vgg", 200, "mlp", 100_000);
        assertEquals(List.of("cnn-small"), policy.decide(request(T0, 50, 0.93, IMAGE), subs, mlpBusy, T0).variants());
        // no substitutes in the catalog: as before
        assertEquals(List.of("cnn-small"), policy.decide(request(T0, 50, 0.93, IMAGE), catalog, load, T0).variants());
    }

    @Test
    void replanningTriesTheSubstitutesFirst() {
        Catalog subs = withSubstitutes();
        Selection image = policy.decide(request(T0, 100, 0.93, IMAGE), subs, LoadSnapshot.IDLE, T0);
        assertEquals(List.of("vgg"), image.variants());
        assertEquals(List.of("mlp", "cnn-small", "linear"), image.fallbacks(), "substitutes, most agreeing first, then by accuracy");
        Selection fusion = policy.decide(request(T0, 100, 0.94, BOTH), subs, LoadSnapshot.IDLE, T0);
        assertEquals(List.of("fusion-cnn"), fusion.variants());
        assertEquals(List.of("fusion-lite", "vgg", "cnn-small"), fusion.fallbacks());
        assertEquals(List.of("cnn-small", "mlp", "linear"),
                MoselPolicy.accuracyOnly(estimator).decide(request(T0, 100, 0.93, IMAGE), subs, LoadSnapshot.IDLE, T0).fallbacks());
    }

    @Test
    void onlyAOneMemberSelectionHasFallbacks() {
        assertThrows(IllegalArgumentException.class, () -> Selection.serve(List.of("a", "b"), 1).withFallbacks(List.of("c")));
        assertThrows(IllegalArgumentException.class, () -> Selection.cascade(List.of("a", "b"), 1, 0.5).withFallbacks(List.of("c")));
        assertThrows(IllegalArgumentException.class, () -> Selection.serve(List.of("a"), 1).withFallbacks(List.of("a")));
        assertEquals(List.of("c"), Selection.serve(List.of("a"), 1).withFallbacks(List.of("c")).fallbacks());
    }

    static List<String> ids(List<ModalityStrategyTable.Candidate> cs) {
        return cs.stream().map(ModalityStrategyTable.Candidate::id).toList();
    }
}
