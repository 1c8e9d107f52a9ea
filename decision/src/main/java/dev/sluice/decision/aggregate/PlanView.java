package dev.sluice.decision.aggregate;

import dev.sluice.decision.vote.VoteMethod;
import java.util.List;

/**
 * The fields of a request's plan that aggregation reads. The aggregator builds it from the Avro
 * {@code Plan}; the simulator builds it directly.
 *
 * @param action serve, reject or invalid
 * @param reason the selector's reason for a rejection or an invalid request, or null
 * @param variants the members to wait for, in plan order
 * @param earlyConfidence the vote's confidence that answers early; 0 or less turns the rule off
 * @param finalOnly whether the client wants the final result only (no provisional answers)
 * @param partsMissing parts of a multi-part request not arrived when this plan was made
 * @param partCount parts the request has in all
 * @param deadlineDefault what to answer when the deadline passes with no member's answer; null: none
 * @param fallback a fast fallback run sent beside the members, whose output may answer instead; null: none
 * @param outputs the outputs the request named, for its result; empty: all
 */
public record PlanView(String requestId, PlanAction action, String reason, List<String> variants, VoteMethod vote,
                       float earlyConfidence, String policy, long createdAtMs, long receivedAtMs, long plannedAtMs,
                       long deadlineMs, boolean finalOnly, int partsMissing, int partCount, DefaultAnswer deadlineDefault,
                       FallbackRun fallback, List<String> outputs) {
    public PlanView {
        variants = List.copyOf(variants);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /** A plan without a fallback run, asking for every output. */
    public PlanView(String requestId, PlanAction action, String reason, List<String> variants, VoteMethod vote,
                    float earlyConfidence, String policy, long createdAtMs, long receivedAtMs, long plannedAtMs,
                    long deadlineMs, boolean finalOnly, int partsMissing, int partCount, DefaultAnswer deadlineDefault) {
        this(requestId, action, reason, variants, vote, earlyConfidence, policy, createdAtMs, receivedAtMs, plannedAtMs,
                deadlineMs, finalOnly, partsMissing, partCount, deadlineDefault, null, List.of());
    }

    /** A plan without a default answer. */
    public PlanView(String requestId, PlanAction action, String reason, List<String> variants, VoteMethod vote,
                    float earlyConfidence, String policy, long createdAtMs, long receivedAtMs, long plannedAtMs,
                    long deadlineMs, boolean finalOnly, int partsMissing, int partCount) {
        this(requestId, action, reason, variants, vote, earlyConfidence, policy, createdAtMs, receivedAtMs, plannedAtMs,
                deadlineMs, finalOnly, partsMissing, partCount, null);
    }
}
