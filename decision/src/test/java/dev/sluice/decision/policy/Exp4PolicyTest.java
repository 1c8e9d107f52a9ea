package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.vote.Ballot;
import dev.sluice.models.Cascade;
import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Exp4 over the ladder's variants plus one measured ensemble and one cascade, 10 ms overhead. */
class Exp4PolicyTest {
    private final LatencyEstimator estimator = new LatencyEstimator(10);
    private final Catalog catalog = new Catalog(LadderFixtures.ladder().variants(),
            List.of(new Ensemble(List.of("cnn-small", "vgg"), "PROBABILITY_AVERAGE", 0.935, 0.9372),
                    new Ensemble(List.of("mlp", "cnn-small", "vgg"), "WEIGHTED_MAJORITY", 0.94, 0.9372)),
            List.of(new Cascade(List.of("mlp", "vgg-tta"), 0.9, 0.94, 0.3, 0.9426)));

    private Exp4Policy policy(long seed) {
        return new Exp4Policy(estimator, Exp4Policy.Config.DEFAULTS, new SplittableRandom(seed));
    }

    @Test
    void armsAreTheSinglesTheEnsemblesWithAnOfflineVoteAndTheCascades() {
        TaskVariants tv = TaskVariants.of(catalog, CatalogFixtures.TASK);
        List<Exp4Policy.Arm> arms = Exp4Policy.arms(CatalogFixtures.TASK, catalog, tv, tv.estimatesMs(estimator, LoadSnapshot.IDLE));
        assertEquals(List.of("linear", "mlp", "cnn-small", "vgg", "vgg-tta", "cnn-small+vgg:probability_average",
                "mlp>vgg-tta@0.9"), arms.stream().map(Exp4Policy.Arm::key).toList(), "the weighted vote has no offline figure");
        Exp4Policy.Arm ensemble = arms.get(5);
        assertEquals(0.927 + (0.935 - 0.9372), ensemble.accuracy(), 1e-12, "validation gain on the best member's test accuracy");
        assertEquals(0.88 / 32 + 6.0 / 32, ensemble.costMs(), 1e-12, "both members run");
        Exp4Policy.Arm cascade = arms.get(6);
        assertEquals(0.934 - 0.0026, cascade.accuracy(), 1e-9, "never above the last stage");
        assertEquals(0.17 / 32 + 0.3 * 30.0 / 32, cascade.costMs(), 1e-12);
        // cnn-small+vgg (.9248 credited) costs more than vgg alone (.927): dominated, never offered
        assertEquals(List.of("linear", "mlp", "cnn-small", "vgg", "vgg-tta", "mlp>vgg-tta@0.9"),
                Exp4Policy.front(arms).stream().map(Exp4Policy.Arm::key).toList());
        assertEquals(cascade.worstMs(), Exp4Policy.worstMs(cascade, tv.estimatesMs(estimator, LoadSnapshot.IDLE)), 1e-12,
                "a cascade's stages run one after the other");
    }

    @Test
    void servesOnlyConfigurationsMeetingTheFloorInTimeAndRejectsWithTheReason() {
        Exp4Policy p = policy(1);
        for (int i = 0; i < 200; i++) {
            Selection s = p.decide(request("r" + i, T0, 100, 0.92), catalog, LoadSnapshot.IDLE, T0);
            assertTrue(s.serve(), s.toString());
            assertTrue(List.of(List.of("vgg"), List.of("vgg-tta"), List.of("mlp", "vgg-tta")).contains(s.variants()),
                    s.toString());
            if (s.variants().equals(List.of("mlp", "vgg-tta"))) {
                assertTrue(s.isCascade());
                assertEquals(0.9, s.escalateBelow(), 1e-12);
            }
            if (s.variants().equals(List.of("cnn-small", "vgg"))) {
                assertEquals("PROBABILITY_AVERAGE", s.vote());
            }
        }
        Selection tooHigh = p.decide(request("x", T0, 100, 0.99), catalog, LoadSnapshot.IDLE, T0);
        assertFalse(tooHigh.serve());
        assertTrue(tooHigh.reason().contains("min_accuracy"), tooHigh.reason());
        Selection tooSoon = p.decide(request("y", T0, 5, 0.92), catalog, LoadSnapshot.IDLE, T0);
        assertFalse(tooSoon.serve());
        assertTrue(tooSoon.reason().contains("ms left"), tooSoon.reason());
    }

    @Test
    void learnsToTrustTheExpertWhoseConfigurationsAnswerRight() {
        // ground truth: only vgg-tta is ever right; every other configuration wrong
        Exp4Policy p = policy(7);
        Map<String, Integer> late = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String id = "r" + i;
            Selection s = p.decide(request(id, T0, 1_000, 0.9), catalog, LoadSnapshot.IDLE, T0);
            List<Ballot> votes = s.variants().stream().map(v -> new Ballot(v, v.equals("vgg-tta") ? 3 : 5, 0.9f)).toList();
            if (s.isCascade()) {
                votes = List.of(new Ballot("mlp", 5, 0.5f), new Ballot("vgg-tta", 3, 0.9f));
            }
            p.onFeedback(id, 3, votes, T0);
            if (i >= 2000) {
                late.merge(String.join("+", s.variants()), 1, Integer::sum);
            }
        }
        // vgg-tta alone (most-accurate's pick) and the cascade mlp > vgg-tta (cheapest-cascade's) both answer
        // right; the cascade costs less, so its expert earns more and ends up trusted
        Map<String, Double> w = p.expertWeights();
        assertTrue(w.get("cheapest-cascade") > 0.9, w.toString());
        assertTrue(w.get("most-accurate") > w.get("cheapest"), w.toString());
        assertTrue(late.getOrDefault("mlp+vgg-tta", 0) > 800, late.toString());
        assertEquals(3000, p.rewarded());
        assertEquals(0, p.pendingDraws());
    }

    @Test
    void feedbackOnlyForItsOwnDrawsAndTheAnswerRebuiltFromTheVotes() {
        Exp4Policy p = policy(3);
        p.onFeedback("never-drawn", 3, List.of(new Ballot("vgg", 3, 0.9f)), T0);
        assertEquals(0, p.rewarded());
        p.decide(request("a", T0, 1_000, 0.9), catalog, LoadSnapshot.IDLE, T0);
        p.onFeedback("a", 3, List.of(), T0);
        assertEquals(1, p.pendingDraws(), "a cached answer has no votes: nothing to learn, the draw waits");
        Exp4Policy.Arm ens = new Exp4Policy.Arm(Exp4Policy.Kind.ENSEMBLE, List.of("a", "b", "c"), "MAJORITY", 0, 0.9, 1, 1);
        assertEquals(2, Exp4Policy.answerOf(ens, List.of(new Ballot("a", 2, 0.6f), new Ballot("b", 2, 0.5f), new Ballot("c", 4, 0.99f))));
        assertEquals(4, Exp4Policy.answerOf(ens, List.of(new Ballot("a", 2, 0.6f), new Ballot("c", 4, 0.99f))), "a tie: more confident");
        Exp4Policy.Arm cas = new Exp4Policy.Arm(Exp4Policy.Kind.CASCADE, List.of("a", "b"), null, 0.9, 0.9, 1, 1);
        assertEquals(7, Exp4Policy.answerOf(cas, List.of(new Ballot("b", 7, 0.9f), new Ballot("a", 1, 0.4f))), "the last stage answered");
        assertEquals(1, Exp4Policy.answerOf(cas, List.of(new Ballot("a", 1, 0.95f))), "no escalation: the first stage");
        assertEquals(Integer.MIN_VALUE, Exp4Policy.answerOf(cas, List.of(new Ballot("z", 1, 0.95f))));
        assertThrows(IllegalArgumentException.class, () -> new Exp4Policy.Config(0, 0.3, 10));
        assertThrows(IllegalArgumentException.class, () -> new Exp4Policy.Config(0.1, 1, 10));
    }

    @Test
    void adviceAndProbabilitiesAreDistributions() {
        Exp4Policy p = policy(5);
        double[][] advice = {{1, 0, 0}, {0, 0, 1}, Exp4Policy.uniform(3)};
        double[] probs = new double[3];
        double[] q = p.probabilities(new double[][] {advice[0], advice[1], advice[2], advice[0], advice[1], advice[2], advice[2]}, 3);
        double sum = 0;
        for (double x : q) {
            assertTrue(x >= 0.1 / 3 - 1e-12);
            sum += x;
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(3, probs.length);
        assertEquals(List.of("cheapest", "most-accurate", "cheapest-single", "best-ensemble", "cheapest-cascade",
                "accuracy-per-ms", "uniform"), List.copyOf(p.expertWeights().keySet()));
    }
}
