package dev.sluice.bench.multimodal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.bench.ComputeTally;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrategyResultTest {
    private static InferenceResult result(int label, boolean isFinal, int revision, String variant) {
        return InferenceResult.newBuilder().setRequestId("r").setStatus(ResultStatus.OK).setRevision(revision)
                .setFinal$(isFinal).setLabel(label).setVariants(List.of(variant))
                .setLatency(new StageLatency(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)).setCreatedAtMs(0).setDeadlineMs(0)
                .setCompletedAtMs(0).build();
    }

    @Test
    void firstAndFinalAnswersAreScoredApart() {
        InferenceResult provisionalWrong = result(3, false, 0, "img");
        InferenceResult finalRight = result(6, true, 1, "fuse");
        InferenceResult provisionalRight = result(6, false, 0, "img");
        List<Sent> sent = List.of(
                new Sent(6, 1_000, 2_000, provisionalWrong, 1_040, finalRight, 1_600), // corrected
                new Sent(6, 1_000, 2_000, provisionalRight, 1_050, finalRight, 1_620), // confirmed
                new Sent(6, 1_000, 2_000, finalRight, 1_700, finalRight, 1_700),       // whole request: first = final
                new Sent(2, 1_000, 1_500, provisionalRight, 1_030, finalRight, 1_900), // wrong and late
                new Sent(6, 0, 0, null, 0, null, 0));                                  // never answered

        StrategyResult r = StrategyResult.of("infaas", sent, new ComputeTally.Totals(50.0, 9, 0, 2, 0));

        assertEquals(5, r.samples());
        assertEquals(4, r.answered());
        assertEquals(2 / 5.0, r.accuracyFirst(), 1e-9, "the provisional answers 6, 6 (of label 6, 6, 6, 2) and one final 6");
        assertEquals(3 / 5.0, r.accuracyFinal(), 1e-9);
        assertEquals(3 / 5.0, r.provisionalRate(), 1e-9);
        assertEquals(1 / 3.0, r.correctedRate(), 1e-9);
        assertEquals(3 / 5.0, r.sloAttainment(), 1e-9, "the fourth missed its deadline");
        assertEquals(3 / 5.0, r.effectiveAccuracy(), 1e-9);
        assertEquals(10.0, r.computeMsPerRequest(), 1e-9);
        assertEquals(40.0, r.firstMs().get("p50"), 1e-9, "sorted 30, 40, 50, 700");
        assertEquals(Map.of("fuse", 4L), r.finalVariants());
        assertEquals(Map.of("OK", 4L, "UNANSWERED", 1L), r.statusCounts());
        assertEquals(2 / 5.0, r.replannedRate(), 1e-9, "two samples' tasks moved to a fallback");
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> StrategyResult.of("p", List.of(), new ComputeTally.Totals(0, 0, 0)));
    }
}
