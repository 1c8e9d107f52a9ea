package dev.sluice.executor.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.executor.profile.EnsembleProfiler.MemberOutputs;
import dev.sluice.executor.runtime.Device;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Ensemble;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ensemble arithmetic on synthetic probabilities, and one real run of the committed linear.onnx. */
class EnsembleProfilerTest {
    /** A member over 3 classes; each row is one sample's probabilities. */
    private static MemberOutputs member(String id, float[]... rows) {
        float[] p = new float[rows.length * 3];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, p, i * 3, 3);
        }
        return new MemberOutputs(id, 3, p);
    }

    private static float[] p(double a, double b, double c) {
        return new float[] {(float) a, (float) b, (float) c};
    }

    @Test
    void majorityCountsVotesThenSummedConfidenceThenLowerLabel() {
        // sample 0: two votes for class 1 beat one confident vote for 0
        // sample 1: 1-1 tie between classes 2 and 0; class 2's voter is more confident
        // sample 2: 1-1 tie with equal confidence: the lower label (0)
        MemberOutputs a = member("a", p(.2, .7, .1), p(.1, .1, .8), p(.6, .2, .2));
        MemberOutputs b = member("b", p(.1, .6, .3), p(.6, .3, .1), p(.2, .2, .6));
        MemberOutputs c = member("c", p(.99, .005, .005), p(.3, .4, .3), p(.3, .4, .3));
        assertArrayEquals(new int[] {1, 2, 0}, EnsembleProfiler.answers(List.of(a, b), 3, "MAJORITY"));
        assertArrayEquals(new int[] {1}, EnsembleProfiler.answers(List.of(a, b, c), 1, "MAJORITY"));
        assertEquals(2 / 3.0, EnsembleProfiler.accuracy(List.of(a, b), new int[] {1, 2, 1}, "MAJORITY"), 1e-12);
    }

    @Test
    void probabilityAverageTakesTheArgmaxOfTheSumsLowerLabelOnTies() {
        // sample 0: a confident minority outweighs two lukewarm votes
        // sample 1: exact tie of the sums between classes 0 and 2: the lower label
        MemberOutputs a = member("a", p(.9, .05, .05), p(.5, 0, .5));
        MemberOutputs b = member("b", p(.3, .4, .3), p(.5, 0, .5));
        MemberOutputs c = member("c", p(.3, .4, .3), p(.5, 0, .5));
        assertArrayEquals(new int[] {0, 0}, EnsembleProfiler.answers(List.of(a, b, c), 2, "PROBABILITY_AVERAGE"));
        assertArrayEquals(new int[] {1, 0}, EnsembleProfiler.answers(List.of(a, b, c), 2, "MAJORITY"));
        assertThrows(IllegalArgumentException.class, () -> EnsembleProfiler.answers(List.of(a, b), 2, "WEIGHTED_MAJORITY"));
        assertThrows(IllegalArgumentException.class, () -> EnsembleProfiler.answers(List.of(), 2, "MAJORITY"));
    }

    @Test
    void measuresEverySubsetOfTwoToFourUnderEachVote() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 400;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(3);
        }
        // members right with probability 0.6 .. 0.8, wrong answers spread at random
        List<MemberOutputs> members = new ArrayList<>();
        double[] skill = {0.6, 0.65, 0.7, 0.75, 0.8};
        for (int m = 0; m < skill.length; m++) {
            float[] probs = new float[n * 3];
            for (int i = 0; i < n; i++) {
                int said = rnd.nextDouble() < skill[m] ? labels[i] : (labels[i] + 1 + rnd.nextInt(2)) % 3;
                float top = (float) (0.4 + 0.5 * rnd.nextDouble());
                for (int c = 0; c < 3; c++) {
                    probs[i * 3 + c] = c == said ? top : (1 - top) / 2;
                }
            }
            members.add(new MemberOutputs("m" + m, 3, probs));
        }
        List<Ensemble> all = EnsembleProfiler.measure(members, labels, 2, 4, EnsembleProfiler.VOTES);
        assertEquals((10 + 10 + 5) * 2, all.size());
        assertEquals(List.of("m0", "m1"), all.get(0).members());
        assertEquals("MAJORITY", all.get(0).vote());
        assertEquals("PROBABILITY_AVERAGE", all.get(1).vote());
        assertEquals(List.of("m1", "m2", "m3", "m4"), all.get(all.size() - 1).members());
        for (Ensemble e : all) {
            List<MemberOutputs> set = members.stream().filter(m -> e.members().contains(m.variant())).toList();
            assertEquals(Math.round(EnsembleProfiler.accuracy(set, labels, e.vote()) * 1e4) / 1e4, e.accuracy(), 1e-12);
            double best = set.stream().mapToDouble(m -> m.accuracy(labels)).max().orElseThrow();
            assertEquals(Math.round(best * 1e4) / 1e4, e.singleBest(), 1e-12);
        }
        // independent errors: the three best members' majority beats the best of them alone
        Ensemble top3 = all.stream().filter(e -> e.members().equals(List.of("m2", "m3", "m4")) && e.vote().equals("MAJORITY"))
                .findFirst().orElseThrow();
        assertTrue(top3.gain() > 0, top3.toString());
        // sizes are bounded by the members there are
        assertEquals(2, EnsembleProfiler.measure(members.subList(0, 2), labels, 2, 4, EnsembleProfiler.VOTES).size());
        assertThrows(IllegalArgumentException.class, () -> EnsembleProfiler.measure(members, labels, 1, 4, EnsembleProfiler.VOTES));
        assertThrows(IllegalArgumentException.class, () -> EnsembleProfiler.measure(members, new int[3], 2, 4, EnsembleProfiler.VOTES));
    }

    @Test
    void subsetsAreLexicographic() {
        List<int[]> s = EnsembleProfiler.subsets(4, 2);
        assertEquals(6, s.size());
        assertArrayEquals(new int[] {0, 1}, s.get(0));
        assertArrayEquals(new int[] {2, 3}, s.get(5));
        assertEquals(1, EnsembleProfiler.subsets(3, 3).size());
        assertEquals(0, EnsembleProfiler.subsets(2, 3).size());
    }

    @Test
    void runsEachVariantOnceAndKeepsItsProbabilities() {
        Variant linear = new Variant("linear", "fashion-mnist", List.of("image"), "linear.onnx",
                new TensorSpec("input", "FP32", List.of(-1L, 1L, 28L, 28L)), new TensorSpec("logits", "FP32", List.of(-1L, 10L)),
                "[0,1]", null, null, null, new BatchingConfig(8, 2.0));
        int n = 300; // more than one inference batch of 256
        float[][] images = new float[n][784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < 784; q++) {
                images[i][q] = ((q * (i + 3) + 11 * i) % 256) / 255f;
            }
        }
        List<String> progress = new ArrayList<>();
        Map<String, MemberOutputs> out = new EnsembleProfiler(Device.CPU, 1)
                .run(List.of(linear), Path.of("../models"), new FashionMnist(images, labels), progress::add);
        MemberOutputs m = out.get("linear");
        assertEquals(n, m.samples());
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                sum += m.probabilities()[i * 10 + c];
            }
            assertEquals(1.0, sum, 1e-4);
        }
        assertEquals(1, progress.size());
        assertTrue(progress.get(0).contains("validation accuracy"), progress.toString());
    }
}
