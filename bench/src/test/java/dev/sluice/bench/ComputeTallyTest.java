package dev.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.ingest.load.RequestOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComputeTallyTest {
    private static ModelOutput output(String id, String variant, double computeMs, int batch, String escalatedTo) {
        return ModelOutput.newBuilder().setRequestId(id).setVariant(variant).setStatus(OutputStatus.OK).setLabel(1)
                .setConfidence(0.5f).setComputeMs(computeMs).setCpuMs(computeMs / 2).setBatchSize(batch).setCompletedAtMs(0)
                .setEscalatedTo(escalatedTo).build();
    }

    private static RequestOutcome outcome(String id, int trueLabel, Integer label, long latencyMs) {
        if (label == null) {
            return new RequestOutcome(id, trueLabel, 0, 0, null, 0);
        }
        InferenceResult r = InferenceResult.newBuilder().setRequestId(id).setStatus(ResultStatus.OK).setLabel(label)
                .setLatency(StageLatency.newBuilder().build()).setCreatedAtMs(0).setDeadlineMs(1000).setCompletedAtMs(0)
                .build();
        return new RequestOutcome(id, trueLabel, 1000, 2000, r, 1000 + latencyMs);
    }

    @Test
    void computeIsEachOutputsShareOfItsBatchSummedPerRun() {
        ComputeTally t = new ComputeTally();
        t.add(output("a-1", "cnn", 0.8, 8, "vgg-tta")); // 0.1
        t.add(output("a-1", "vgg-tta", 3.0, 1, null)); // 3.0
        t.add(output("a-2", "cnn", 0.8, 8, null)); // 0.1
        t.add(output("b-1", "vgg", 5.0, 1, null)); // another run
        ModelOutput moved = output("a-3", "fusion-cnn", 0, 0, "cnn"); // re-planned while queued: not run
        moved.setStatus(OutputStatus.MOVED);
        t.add(moved);
        ComputeTally.Totals a = t.totals("a-");
        assertEquals(3.2, a.computeMs(), 1e-9);
        assertEquals(1.6, a.cpuMs(), 1e-9, "CPU time shared over the batch the same way");
        assertEquals(4, a.outputs());
        assertEquals(1, a.escalations(), "a MOVED notice is no cascade escalation");
        assertEquals(1, a.moves());
        assertEquals(5.0, t.totals("b-").computeMs(), 1e-9);
        assertEquals(0, t.totals("c-").outputs());
    }

    @Test
    void resultCountsUnansweredRequestsAsWrongAndAveragesComputeOverAllSent() {
        List<RequestOutcome> outcomes = List.of(outcome("a-1", 3, 3, 10), outcome("a-2", 4, 4, 20), outcome("a-3", 5, 1, 30),
                outcome("a-4", 6, null, 0));
        EnsembleResult r = EnsembleResult.of("fixed:x", outcomes, new ComputeTally.Totals(8.0, 6, 1, 0, 4.0));
        assertEquals(0.5, r.accuracy());
        assertEquals(2.0, r.computeMsPerRequest());
        assertEquals(1.0, r.cpuMsPerRequest());
        assertEquals(1.5, r.membersPerRequest());
        assertEquals(0.25, r.escalationRate());
        assertEquals(3, r.answered());
        assertEquals(1L, r.statusCounts().get("UNANSWERED"));
        assertEquals(3L, r.statusCounts().get("OK"));
        assertEquals(20.0, r.latencyMs().get("p50"));
    }
}
