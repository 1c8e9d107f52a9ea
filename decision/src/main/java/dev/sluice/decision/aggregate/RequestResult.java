package dev.sluice.decision.aggregate;

import dev.sluice.decision.vote.Ballot;
import dev.sluice.decision.vote.OutputTensor;
import java.util.List;

/**
 * A request's result as aggregation decides it (the Avro {@code InferenceResult} on the wire,
 * field for field).
 *
 * @param revision the answer's number among those the client sees, 0 first
 * @param isFinal false for a provisional answer of a request still missing parts
 * @param label the answer, -1 when there is none
 * @param votes every vote counted, in plan order
 * @param variants the members that served the request
 * @param reason why it ended as it did, or null for a plain answer
 * @param probabilities the answer's class probabilities (the mean of the members' that voted),
 *     empty when there is no answer or no member sent any
 * @param defaultAnswer the answer is a default one ({@link DefaultAnswer}, or a {@link FallbackRun}'s), not a member's
 * @param outputs the answer's output tensors when the members answer with tensors rather than a class
 *     (label -1 then); empty for a classifier's answer
 */
public record RequestResult(String requestId, RequestStatus status, int revision, boolean isFinal, int label,
                            float confidence, List<String> variants, List<Ballot> votes, StageTimes latency,
                            String reason, String policy, long createdAtMs, long deadlineMs, long completedAtMs,
                            List<Float> probabilities, boolean defaultAnswer, List<OutputTensor> outputs) {
    public RequestResult {
        variants = List.copyOf(variants);
        votes = List.copyOf(votes);
        probabilities = probabilities == null ? List.of() : List.copyOf(probabilities);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /** A result without output tensors. */
    public RequestResult(String requestId, RequestStatus status, int revision, boolean isFinal, int label,
                         float confidence, List<String> variants, List<Ballot> votes, StageTimes latency,
                         String reason, String policy, long createdAtMs, long deadlineMs, long completedAtMs,
                         List<Float> probabilities, boolean defaultAnswer) {
        this(requestId, status, revision, isFinal, label, confidence, variants, votes, latency, reason, policy,
                createdAtMs, deadlineMs, completedAtMs, probabilities, defaultAnswer, List.of());
    }

    /** A member's (or no) answer, not a default one. */
    public RequestResult(String requestId, RequestStatus status, int revision, boolean isFinal, int label,
                         float confidence, List<String> variants, List<Ballot> votes, StageTimes latency,
                         String reason, String policy, long createdAtMs, long deadlineMs, long completedAtMs,
                         List<Float> probabilities) {
        this(requestId, status, revision, isFinal, label, confidence, variants, votes, latency, reason, policy,
                createdAtMs, deadlineMs, completedAtMs, probabilities, false);
    }

    /** A result without class probabilities. */
    public RequestResult(String requestId, RequestStatus status, int revision, boolean isFinal, int label,
                         float confidence, List<String> variants, List<Ballot> votes, StageTimes latency,
                         String reason, String policy, long createdAtMs, long deadlineMs, long completedAtMs) {
        this(requestId, status, revision, isFinal, label, confidence, variants, votes, latency, reason, policy,
                createdAtMs, deadlineMs, completedAtMs, List.of(), false);
    }

    public RequestResult withRevision(int r, boolean f) {
        return new RequestResult(requestId, status, r, f, label, confidence, variants, votes, latency, reason, policy,
                createdAtMs, deadlineMs, completedAtMs, probabilities, defaultAnswer, outputs);
    }

    public RequestResult withReason(String r) {
        return new RequestResult(requestId, status, revision, isFinal, label, confidence, variants, votes, latency, r,
                policy, createdAtMs, deadlineMs, completedAtMs, probabilities, defaultAnswer, outputs);
    }

    public RequestResult withCompletedAtMs(long ms) {
        return new RequestResult(requestId, status, revision, isFinal, label, confidence, variants, votes, latency, reason,
                policy, createdAtMs, deadlineMs, ms, probabilities, defaultAnswer, outputs);
    }
}
