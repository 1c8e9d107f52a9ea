package dev.sluice.aggregator;

import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.VoteMethod;
import java.util.List;

/** Plans and outputs for tests. Times: created T0-10, received T0-8, planned T0-5. */
final class Fixtures {
    static final long T0 = 1_700_000_000_000L;
    static final long CREATED = T0 - 10;
    static final long RECEIVED = T0 - 8;
    static final long PLANNED = T0 - 5;

    private Fixtures() {}

    static Plan serve(String id, VoteMethod vote, long deadlineMs, String... variants) {
        return plan(id, PlanDecision.SERVE, null, vote, deadlineMs, variants);
    }

    static Plan plan(String id, PlanDecision decision, String reason, VoteMethod vote, long deadlineMs,
                     String... variants) {
        return Plan.newBuilder()
                .setRequestId(id)
                .setTask("fashion-mnist")
                .setDecision(decision)
                .setReason(reason)
                .setVariants(List.of(variants))
                .setVote(vote)
                .setPolicy("test-policy")
                .setCreatedAtMs(CREATED)
                .setDeadlineMs(deadlineMs)
                .setReceivedAtMs(RECEIVED)
                .setPlannedAtMs(PLANNED)
                .build();
    }

    static ModelOutput ok(String id, String variant, int label, float confidence, long completedAtMs) {
        return output(id, variant, OutputStatus.OK, label, confidence, null, completedAtMs);
    }

    /** An OK output carrying a probability vector; label and confidence are its argmax and max. */
    static ModelOutput probs(String id, String variant, long completedAtMs, float... probabilities) {
        int label = 0;
        for (int c = 1; c < probabilities.length; c++) {
            if (probabilities[c] > probabilities[label]) {
                label = c;
            }
        }
        List<Float> p = new java.util.ArrayList<>();
        for (float f : probabilities) {
            p.add(f);
        }
        return ModelOutput.newBuilder(ok(id, variant, label, probabilities[label], completedAtMs))
                .setProbabilities(p).build();
    }

    static ModelOutput failed(String id, String variant, OutputStatus status, String reason, long completedAtMs) {
        return output(id, variant, status, -1, 0f, reason, completedAtMs);
    }

    static ModelOutput output(String id, String variant, OutputStatus status, int label, float confidence,
                              String reason, long completedAtMs) {
        return ModelOutput.newBuilder()
                .setRequestId(id)
                .setVariant(variant)
                .setStatus(status)
                .setLabel(label)
                .setConfidence(confidence)
                .setReason(reason)
                .setQueueMs(variant.length())      // distinct per variant so "max over members" is visible
                .setComputeMs(10.0 * variant.length())
                .setCompletedAtMs(completedAtMs)
                .build();
    }
}
