package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import dev.sluice.decision.policy.CatalogFixtures;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ladder (linear .845, mlp .894, cnn-small .915, vgg .927, vgg-tta .934) with ensembles
 * measured above every single variant, 10 ms overhead: idle estimates cnn-small 12.1, vgg 12.6,
 * vgg-tta 15 ms.
 */
class CocktailPolicyTest {
    private static final Ensemble MLP_CNN_PA = new Ensemble(List.of("mlp", "cnn-small"), "PROBABILITY_AVERAGE", 0.921, 0.915);
    private static final Ensemble MLP_CNN_MAJ = new Ensemble(List.of("mlp", "cnn-small"), "MAJORITY", 0.917, 0.915);
    private static final Ensemble CNN_VGG_PA = new Ensemble(List.of("cnn-small", "vgg"), "PROBABILITY_AVERAGE", 0.936, 0.927);
    private static final Ensemble MLP_CNN_VGG_PA = new Ensemble(List.of("mlp", "cnn-small", "vgg"), "PROBABILITY_AVERAGE",
            0.938, 0.927);
    private static final Ensemble CNN_VGG_TTA_MAJ = new Ensemble(List.of("cnn-small", "vgg", "vgg-tta"), "MAJORITY", 0.945,
            0.934);
    private static final Ensemble MLP_CNN_TTA_PA = new Ensemble(List.of("mlp", "cnn-small", "vgg-tta"), "PROBABILITY_AVERAGE",
            0.940, 0.934);
    private static final Ensemble WITH_ORACLE = new Ensemble(List.of("oracle", "vgg"), "MAJORITY", 0.999, 0.99);

    private final Catalog catalog = LadderFixtures.ladder().withEnsembles(List.of(MLP_CNN_PA, MLP_CNN_MAJ, CNN_VGG_PA,
            MLP_CNN_VGG_PA, CNN_VGG_TTA_MAJ, MLP_CNN_TTA_PA, WITH_ORACLE));
    private final CocktailPolicy policy = new CocktailPolicy(new LatencyEstimator(10), new CocktailPolicy.Config(20, 10, 0.05));

    private Selection decide(double floor, long slackMs, LoadSnapshot load) {
        return policy.decide(request("r", T0, slackMs, floor), catalog, load, T0);
    }

    private java.util.Map<String, dev.sluice.models.Variant> profiled() {
        java.util.Map<String, dev.sluice.models.Variant> m = new java.util.HashMap<>();
        TaskVariants.of(catalog, CatalogFixtures.TASK).byCost().forEach(v -> m.put(v.id(), v));
        return m;
    }

    private void feed(String variant, int correct, int wrong) {
        for (int i = 0; i < correct; i++) {
            policy.onFeedback("r", variant, true, T0);
        }
        for (int i = 0; i < wrong; i++) {
            policy.onFeedback("r", variant, false, T0);
        }
    }

    @Test
    void aSingleVariantWinsWheneverOneMeetsTheFloor() {
        Selection s = decide(0.9, 1000, LoadSnapshot.IDLE);
        assertEquals(List.of("cnn-small"), s.variants());
        assertNull(s.vote(), "one variant: the selector's pass-through");
        assertEquals(List.of("vgg"), decide(0.92, 1000, LoadSnapshot.IDLE).variants());
        assertEquals("cocktail", policy.name());
    }

    @Test
    void aboveEverySingleVariantTheSmallestEnsembleServesWithItsVote() {
        Selection s = decide(0.935, 1000, LoadSnapshot.IDLE);
        assertTrue(s.serve());
        assertEquals(List.of("cnn-small", "vgg"), s.variants());
        assertEquals("PROBABILITY_AVERAGE", s.vote());
        assertEquals(12.6, s.estimatedLatencyMs(), 1e-9, "as late as its slowest member, vgg");
    }

    @Test
    void amongEqualSizesTheCheapestSlowestMemberWinsThenTheMoreAccurate() {
        // .937: the three-member sets with vgg (.938) and with vgg-tta (.940, .945) qualify; vgg is faster
        Selection s = decide(0.937, 1000, LoadSnapshot.IDLE);
        assertEquals(List.of("mlp", "cnn-small", "vgg"), s.variants());
        // same members, same cost: the more accurate vote
        Selection pa = decide(0.916, 100, queued("vgg", 2000, "vgg-tta", 2000));
        assertEquals(List.of("mlp", "cnn-small"), pa.variants());
        assertEquals("PROBABILITY_AVERAGE", pa.vote());
    }

    @Test
    void aDeadlineTheAccurateSingleVariantsMissMovesToAnEnsembleOfFastOnes() {
        // vgg and vgg-tta queued deep: only cnn-small and mlp fit; together they reach .921
        Selection s = decide(0.92, 100, queued("vgg", 2000, "vgg-tta", 2000));
        assertEquals(List.of("mlp", "cnn-small"), s.variants());
        assertEquals("PROBABILITY_AVERAGE", s.vote());
    }

    @Test
    void rejectsSayingWhetherTheFloorOrTheDeadlineWasMissed() {
        Selection high = decide(0.99, 1000, LoadSnapshot.IDLE);
        assertFalse(high.serve());
        assertTrue(high.reason().contains("reaches min_accuracy 0.9900 (best 0.9450)"), high.reason());
        Selection late = decide(0.935, 5, LoadSnapshot.IDLE);
        assertFalse(late.serve());
        assertTrue(late.reason().contains("finishes in time: fastest predicted 12.6 ms"), late.reason());
        Selection none = policy.decide(new SelectionRequest("r", "imagenet", T0, T0 + 100, 0, 0, null, List.of("image")),
                catalog, LoadSnapshot.IDLE, T0);
        assertTrue(none.reason().contains("no profiled variant"), none.reason());
    }

    @Test
    void ensembleFiguresAreMovedToTheTestSetScaleOfTheVariants() {
        // measured on validation, where cnn-small scores .935 and vgg .945: the pair gains half a point over vgg,
        // so on the test scale of the catalog's variants it is worth vgg's .927 + .005 = .932, not .950
        Ensemble easy = new Ensemble(List.of("cnn-small", "vgg"), "MAJORITY", 0.950, 0.945);
        Catalog c = LadderFixtures.ladder().withEnsembles(List.of(easy));
        assertEquals(0.932, CocktailPolicy.onTestScale(easy, java.util.Map.of("cnn-small", LadderFixtures.CNN,
                "vgg", LadderFixtures.VGG)), 1e-9);
        assertEquals(List.of("cnn-small", "vgg"),
                policy.decide(request("r", T0, 1000, 0.93), c, queued("vgg-tta", 5000), T0).variants());
        Selection s = policy.decide(request("r", T0, 1000, 0.935), c, queued("vgg-tta", 5000), T0);
        assertFalse(s.serve(), "the pair is not worth .935 on the test scale: " + s);
        // an ensemble that loses to its best member on validation is credited below that member
        Ensemble worse = new Ensemble(List.of("linear", "vgg"), "MAJORITY", 0.93, 0.945);
        assertEquals(0.912, CocktailPolicy.onTestScale(worse, java.util.Map.of("linear", LadderFixtures.LINEAR,
                "vgg", LadderFixtures.VGG)), 1e-9);
    }

    @Test
    void withoutEnsemblesInTheCatalogItIsInfaas() {
        Catalog plain = LadderFixtures.ladder();
        Selection s = policy.decide(request("r", T0, 1000, 0.92), plain, LoadSnapshot.IDLE, T0);
        assertEquals(new InfaasPolicy(new LatencyEstimator(10)).decide(request("r", T0, 1000, 0.92), plain,
                LoadSnapshot.IDLE, T0).variants(), s.variants());
        assertFalse(policy.decide(request("r", T0, 1000, 0.935), plain, LoadSnapshot.IDLE, T0).serve());
    }

    @Test
    void aMemberFarBelowItsPeersOnRecentFeedbackIsPruned() {
        feed("cnn-small", 18, 2); // .90
        feed("vgg", 19, 1);       // .95
        feed("vgg-tta", 19, 1);   // .95
        feed("mlp", 9, 1);        // .90 over 10 answers: enough to be judged
        assertEquals(Set.of(), policy.pruned(MLP_CNN_VGG_PA));
        assertEquals(List.of("mlp", "cnn-small", "vgg"), decide(0.937, 1000, LoadSnapshot.IDLE).variants());

        feed("mlp", 0, 10);       // window of 20: 9/20 = .45, far below (.90 + .95) / 2
        assertEquals(0.45, policy.onlineAccuracy("mlp").getAsDouble(), 1e-12);
        assertEquals(Set.of("mlp"), policy.pruned(MLP_CNN_VGG_PA));
        assertEquals(Set.of(), policy.pruned(CNN_VGG_PA));

        // without mlp the set is cnn-small+vgg, credited with its own measured .936: no longer meets .937
        CocktailPolicy.Candidate reduced = policy.served(MLP_CNN_VGG_PA, catalog, profiled()).orElseThrow();
        assertEquals(List.of("cnn-small", "vgg"), reduced.members());
        assertEquals(0.936, reduced.accuracy(), 1e-12);
        // a reduced set the catalog never measured keeps the full ensemble's figure (mlp was outvoted)
        CocktailPolicy.Candidate unmeasured = policy.served(MLP_CNN_TTA_PA, catalog, profiled()).orElseThrow();
        assertEquals(List.of("cnn-small", "vgg-tta"), unmeasured.members());
        assertEquals(0.940, unmeasured.accuracy(), 1e-12);
        // so .937 is now met by two members instead of three
        Selection shrunk = decide(0.937, 1000, LoadSnapshot.IDLE);
        assertEquals(List.of("cnn-small", "vgg-tta"), shrunk.variants());
        assertEquals("PROBABILITY_AVERAGE", shrunk.vote());

        // a pair reduced to one member is withdrawn: that variant stands on its own accuracy. mlp+cnn-small
        // served .92 when vgg and vgg-tta were too slow; now nothing does
        assertTrue(policy.served(MLP_CNN_PA, catalog, profiled()).isEmpty());
        Selection none = decide(0.92, 100, queued("vgg", 2000, "vgg-tta", 2000));
        assertFalse(none.serve(), none.toString());
    }

    @Test
    void pruningWaitsForEnoughFeedbackAndIsUndoneWhenTheMemberRecovers() {
        feed("cnn-small", 9, 0);
        feed("mlp", 0, 20);
        assertEquals(Set.of(), policy.pruned(MLP_CNN_PA), "cnn-small has 9 answers, 10 are needed");
        feed("cnn-small", 1, 0);
        assertEquals(Set.of("mlp"), policy.pruned(MLP_CNN_PA));
        feed("mlp", 20, 0); // the window of 20 forgets the bad run
        assertEquals(1.0, policy.onlineAccuracy("mlp").getAsDouble(), 1e-12);
        assertEquals(Set.of(), policy.pruned(MLP_CNN_PA));
        // within the margin: 0.86 vs 0.90 is 4 points, under 5
        CocktailPolicy close = new CocktailPolicy(new LatencyEstimator(10), new CocktailPolicy.Config(50, 50, 0.05));
        for (int i = 0; i < 50; i++) {
            close.onFeedback("r", "mlp", i < 43, T0);
            close.onFeedback("r", "cnn-small", i < 45, T0);
        }
        assertEquals(Set.of(), close.pruned(MLP_CNN_PA));
    }

    @Test
    void ensemblesWithAnUnprofiledMemberNeverServe() {
        Selection s = decide(0.95, 1000, LoadSnapshot.IDLE);
        assertFalse(s.serve(), "oracle+vgg (.999) has an unprofiled member: " + s);
        assertTrue(CatalogFixtures.ORACLE.profile().isEmpty());
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new CocktailPolicy.Config(10, 11, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new CocktailPolicy.Config(10, 0, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new CocktailPolicy.Config(10, 5, -0.1));
        assertThrows(IllegalArgumentException.class, () -> Selection.serve(List.of("a", "b"), 1, "LOUDEST"));
        assertEquals("MAJORITY", Selection.serve(List.of("a", "b"), 1, "MAJORITY").vote());
        assertNull(Selection.serve(List.of("a"), 1).vote());
    }
}
