package dev.sluice.decision.vote;

import java.util.List;

/**
 * What one member of a request's plan reported: the fields of a model output that votes and
 * aggregation decisions read. The aggregator builds it from the Avro {@code ModelOutput}; the
 * simulator builds it directly.
 *
 * @param member the member id: a variant, or one view of it under self-consistency
 * @param label the answer's class, -1 when the member did not answer
 * @param probabilities the class probabilities, empty when the member sent none
 * @param reason why a member failed or moved, or null
 * @param escalatedTo the variant a cascade stage passed the request on to, or the one a {@code MOVED}
 *     task went to; null when neither
 * @param queueMs time the task waited before its batch ran
 * @param computeMs time its batch ran
 * @param completedAtMs when the member's output was written
 * @param tensors the model's output tensors when its answer is not class scores (label -1, no
 *     probabilities); empty for a classifier
 */
public record MemberOutput(String member, MemberStatus status, int label, float confidence, List<Float> probabilities,
                           String reason, String escalatedTo, double queueMs, double computeMs, long completedAtMs,
                           List<OutputTensor> tensors) {
    public MemberOutput {
        probabilities = List.copyOf(probabilities);
        tensors = tensors == null ? List.of() : List.copyOf(tensors);
    }

    /** A classifier's output (no output tensors). */
    public MemberOutput(String member, MemberStatus status, int label, float confidence, List<Float> probabilities,
                        String reason, String escalatedTo, double queueMs, double computeMs, long completedAtMs) {
        this(member, status, label, confidence, probabilities, reason, escalatedTo, queueMs, computeMs, completedAtMs,
                List.of());
    }

    /** Whether the member answered with output tensors rather than a class (a non-classifier model). */
    public boolean isTensorAnswer() {
        return !tensors.isEmpty() && label < 0;
    }
}
