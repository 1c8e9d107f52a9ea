package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.Variant;
import dev.sluice.sim.answers.SampleAnswers;
import dev.sluice.sim.hops.HopLatencies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With per-sample answers, request i carries sample i mod 4 and every answer, vote and
 * escalation follows that sample: accuracies come out exactly, not as coin flips.
 */
class AnswersInTheSimulatorTest {
    /**
     * Four samples, labels 0..3. "a": right on 0 (sure, 0.9) and 1 (unsure, 0.4), wrong on 2
     * (unsure, 0.3) and 3 (sure, 0.95); "b": right on all four (0.9).
     */
    static SampleAnswers answers() {
        float[] a = {
            0.90f, 0.05f, 0.03f, 0.02f,
            0.30f, 0.40f, 0.20f, 0.10f,
            0.30f, 0.25f, 0.25f, 0.20f,
            0.01f, 0.95f, 0.02f, 0.02f};
        float[] b = {
            0.90f, 0.04f, 0.03f, 0.03f,
            0.04f, 0.90f, 0.03f, 0.03f,
            0.03f, 0.04f, 0.90f, 0.03f,
            0.03f, 0.03f, 0.04f, 0.90f};
        return new SampleAnswers(new int[] {0, 1, 2, 3}, 4, Map.of("a", a, "b", b), Map.of());
    }

    static Catalog twoVariants() {
        LatencyProfile flat = new LatencyProfile("cpu", 1, "2026-01-01T00:00:00Z",
                List.of(new LatencyPoint(1, 1, 1, 1), new LatencyPoint(4, 1, 1, 1)));
        Variant a = new Variant("a", SimFixtures.TASK, List.of("image"), "a.onnx", SimFixtures.INPUT, SimFixtures.OUTPUT, "",
                0.5, 0.5, flat, new BatchingConfig(1, 0.0));
        Variant b = new Variant("b", SimFixtures.TASK, List.of("image"), "b.onnx", SimFixtures.INPUT, SimFixtures.OUTPUT, "",
                1.0, 1.0, flat, new BatchingConfig(1, 0.0));
        return new Catalog(List.of(a, b));
    }

    private static RunResult run(String policy) {
        // 400 requests, a request every 20 ms, each alone: samples 0, 1, 2, 3 a hundred times each
        SimConfig c = SimFixtures.steady(50, 8, 1_000, Map.of("a", 1, "b", 1)).withEvenArrivals();
        return new Simulation(c, twoVariants(), HopLatencies.constant(1), new SimEnvironment(null, answers()), policy, 1)
                .run(null);
    }

    @Test
    void aVariantIsRightExactlyOnTheSamplesItGetsRight() {
        RunResult r = run("fixed:a");
        assertEquals(400, r.sent(), 1);
        // right on samples 0 and 1 of every four requests in turn
        assertEquals(countOf(r.sent(), i -> i % 4 < 2) / (double) r.sent(), r.accuracy(), 1e-6); // the result rounds to 6 decimals
        assertEquals(r.accuracy(), r.effectiveAccuracy(), 1e-6);
        assertEquals(answers().accuracyOverFirst("a", r.sent()), r.accuracy(), 1e-6); // the result rounds to 6 decimals
        assertEquals(1.0, run("fixed:b").accuracy(), 1e-12);
    }

    @Test
    void aCascadeEscalatesTheSamplesItsFirstStageIsUnsureOf() {
        // a sure on 0 (right) and 3 (wrong); unsure on 1 and 2, which b then answers right: 3 of 4 right
        RunResult r = run("cascade:a>b@0.5");
        assertEquals(countOf(r.sent(), i -> i % 4 != 3) / (double) r.sent(), r.accuracy(), 1e-6); // the result rounds to 6 decimals
        assertEquals(countOf(r.sent(), i -> i % 4 == 1 || i % 4 == 2), r.escalations());
    }

    private static long countOf(long n, java.util.function.LongPredicate p) {
        return java.util.stream.LongStream.range(0, n).filter(p).count();
    }
}
