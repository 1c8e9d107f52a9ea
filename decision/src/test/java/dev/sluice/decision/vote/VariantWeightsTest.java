package dev.sluice.decision.vote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VariantWeightsTest {
    private static final double EPS = 1e-9;

    @Test
    void startsFromTheMeasuredAccuracy() {
        VariantWeights w = VariantWeights.fromAccuracy(Map.of("cnn", 0.9119, "mlp", 0.8999), 10);
        assertEquals(0.9119, w.accuracy("cnn"), EPS);
        assertEquals(0, w.feedbackCount("cnn"));
    }

    @Test
    void weightIsTheLogOddsOverTheOtherClasses() {
        VariantWeights w = VariantWeights.fromAccuracy(Map.of("coin", 0.5, "chance", 0.1, "worse", 0.05), 10);
        assertEquals(Math.log(9), w.weight("coin"), EPS);
        assertEquals(0.0, w.weight("chance"), EPS);
        assertEquals(0.0, w.weight("worse"), EPS); // below chance weighs nothing, never negative
    }

    @Test
    void aPerfectVariantHasAFiniteWeight() {
        VariantWeights w = VariantWeights.fromAccuracy(Map.of("oracle", 1.0), 10);
        assertEquals(Math.log(9 * 0.999 / 0.001), w.weight("oracle"), 1e-6);
    }

    @Test
    void feedbackMovesTheEstimateByThePriorStrength() {
        VariantWeights w = new VariantWeights(Map.of("a", 0.9), 10, 10);
        for (int i = 0; i < 10; i++) {
            w.onFeedback("a", false);
        }
        assertEquals((0.9 * 10 + 0) / 20, w.accuracy("a"), EPS);
        for (int i = 0; i < 20; i++) {
            w.onFeedback("a", true);
        }
        assertEquals((0.9 * 10 + 20) / 40, w.accuracy("a"), EPS);
        assertEquals(30, w.feedbackCount("a"));
    }

    @Test
    void groundTruthJudgesEveryVote() {
        VariantWeights w = new VariantWeights(Map.of("a", 0.5, "b", 0.5), 10, 1);
        w.onGroundTruth(3, List.of(new Ballot("a", 3, 0.9f), new Ballot("b", 7, 0.8f)));
        assertEquals(0.75, w.accuracy("a"), EPS);
        assertEquals(0.25, w.accuracy("b"), EPS);
    }

    @Test
    void unmeasuredVariantsStartFromTheMeanOrHalfwayFromChance() {
        VariantWeights measured = VariantWeights.fromAccuracy(Map.of("a", 0.8, "b", 0.9), 10);
        assertEquals(0.85, measured.accuracy("new"), EPS);
        VariantWeights uniform = VariantWeights.uniform(10);
        assertEquals(0.55, uniform.accuracy("x"), EPS);
        assertEquals(uniform.weight("x"), uniform.weight("y"), EPS);
        assertTrue(uniform.weight("x") > 0);
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> VariantWeights.uniform(1));
        assertThrows(IllegalArgumentException.class, () -> VariantWeights.fromAccuracy(Map.of("a", 1.2), 10));
        assertThrows(IllegalArgumentException.class, () -> new VariantWeights(Map.of(), 10, 0));
    }
}
