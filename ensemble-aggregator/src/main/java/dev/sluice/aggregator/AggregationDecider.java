package dev.sluice.aggregator;

import dev.sluice.decision.VariantViews;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.VoteMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides, from a request's plan and the member outputs received so far, whether to keep
 * waiting or to answer now, and builds the terminal result. Pure: the caller passes the time.
 *
 * <p>A plan is answered OK as soon as its voter is settled ({@link Voter#isSettled}): every
 * member reported, or the outstanding ones can no longer change the winner, or the vote's
 * confidence reached the plan's {@code early_confidence}. An early answer names how many
 * members it did not wait for in its reason; its votes show who voted.
 *
 * <p>A member an executor re-planned while it was queued reports {@code MOVED} with the variant it
 * went to ({@code escalated_to}); that variant takes the member's place, for the vote, for what is
 * still outstanding and in the result's {@code variants} ({@link #serving}).
 */
public final class AggregationDecider {
    private final long graceMs;
    private final Voters voters;

    /**
     * @param grace how long past a plan's deadline to keep waiting for missing members
     * @param voters the voter of each vote method
     */
    public AggregationDecider(Duration grace, Voters voters) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        this.graceMs = grace.toMillis();
        this.voters = voters;
    }

    public AggregationDecider(Duration grace) {
        this(grace, Voters.unweighted());
    }

    public AggregationDecider() {
        this(Duration.ZERO);
    }

    /** When a waiting request must be answered with whatever has arrived. */
    public long dueAtMs(Plan plan) {
        return plan.getDeadlineMs() + graceMs;
    }

    /**
     * @param plan the request's plan, or null when only outputs have arrived (always waits)
     * @param outputs every output received for the request, in arrival order, duplicates allowed
     * @return the terminal result, or empty to wait for more outputs or the deadline
     */
    public Optional<InferenceResult> decide(Plan plan, List<ModelOutput> outputs, long nowMs) {
        return answer(plan, outputs, nowMs).map(Answer::result);
    }

    /** As {@link #decide}, also naming the members an early answer did not wait for. */
    public Optional<Answer> answer(Plan plan, List<ModelOutput> outputs, long nowMs) {
        if (plan == null) {
            return Optional.empty();
        }
        if (plan.getDecision() == PlanDecision.REJECT) {
            return Optional.of(Answer.of(terminal(plan, plan.getVariants(), List.of(), nowMs, ResultStatus.REJECTED)
                    .setReason(orDefault(plan.getReason(), "rejected by the selector")).build()));
        }
        if (plan.getDecision() == PlanDecision.INVALID) {
            return Optional.of(Answer.of(terminal(plan, plan.getVariants(), List.of(), nowMs, ResultStatus.INVALID)
                    .setReason(orDefault(plan.getReason(), "invalid request")).build()));
        }
        String planProblem = planProblem(plan);
        if (planProblem != null) {
            return Optional.of(Answer.of(
                    terminal(plan, plan.getVariants(), List.of(), nowMs, ResultStatus.INVALID).setReason(planProblem).build()));
        }
        Voter voter = voters.of(plan.getVote());
        Map<String, String> movedTo = movedTo(outputs);
        List<String> serving = serving(plan, movedTo);
        List<ModelOutput> members = members(serving, outputs);
        List<ModelOutput> ok = members.stream().filter(o -> o.getStatus() == OutputStatus.OK).toList();
        List<String> missing = missing(serving, members);
        String moves = moves(movedTo);
        if (!ok.isEmpty() && voter.isSettled(ok, missing, plan.getEarlyConfidence())) {
            String reason = missing.isEmpty() ? null
                    : plan.getVote() == VoteMethod.CASCADE ? "cascade answered by " + ok.get(ok.size() - 1).getVariant()
                            + "; not run: " + String.join(", ", missing)
                    : "decided early; " + missing.size() + " of " + serving.size() + " members outstanding";
            return Optional.of(new Answer(voted(voter, plan, serving, members, ok, nowMs, ResultStatus.OK, join(moves, reason)),
                    missing));
        }
        if (missing.isEmpty()) {
            return Optional.of(Answer.of(allFailed(plan, serving, members, nowMs)));
        }
        if (nowMs < dueAtMs(plan)) {
            return Optional.empty();
        }
        String reason = join(moves, "deadline passed; missing variants: " + String.join(", ", missing));
        if (!ok.isEmpty()) {
            return Optional.of(Answer.of(voted(voter, plan, serving, members, ok, nowMs, ResultStatus.PARTIAL, reason)));
        }
        return Optional.of(Answer.of(
                terminal(plan, serving, members, nowMs, ResultStatus.DEADLINE_EXCEEDED).setReason(reason).build()));
    }

    /**
     * The plan's members, in plan order, each replaced by where it was re-planned to when a
     * {@code MOVED} output says so (followed through repeated moves).
     */
    static List<String> serving(Plan plan, List<ModelOutput> outputs) {
        return serving(plan, movedTo(outputs));
    }

    private static List<String> serving(Plan plan, Map<String, String> movedTo) {
        List<String> serving = new ArrayList<>();
        for (String v : plan.getVariants()) {
            String m = v;
            Set<String> seen = new HashSet<>();
            while (movedTo.containsKey(m) && seen.add(m)) {
                m = movedTo.get(m);
            }
            if (!serving.contains(m)) {
                serving.add(m);
            }
        }
        return serving;
    }

    private static Map<String, String> movedTo(List<ModelOutput> outputs) {
        Map<String, String> movedTo = new HashMap<>();
        for (ModelOutput o : outputs) {
            if (o.getStatus() == OutputStatus.MOVED && o.getEscalatedTo() != null) {
                movedTo.putIfAbsent(o.getVariant(), o.getEscalatedTo());
            }
        }
        return movedTo;
    }

    /** "re-planned while queued: a to b, ..." for the moved members, or null when none moved. */
    private static String moves(Map<String, String> movedTo) {
        if (movedTo.isEmpty()) {
            return null;
        }
        return "re-planned while queued: " + movedTo.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " to " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String join(String a, String b) {
        return a == null ? b : b == null ? a : a + "; " + b;
    }

    /** A SERVE plan the voter cannot honour is answered INVALID rather than left to hang. */
    private static String planProblem(Plan plan) {
        if (plan.getVariants().isEmpty()) {
            return "plan serves no variants";
        }
        if (plan.getVote() == VoteMethod.PASS_THROUGH && plan.getVariants().size() != 1) {
            return "pass-through plan names " + plan.getVariants().size() + " variants";
        }
        if (plan.getVote() == VoteMethod.SELF_CONSISTENCY) {
            List<String> bases = plan.getVariants().stream().map(VariantViews::baseOf).distinct().toList();
            if (bases.size() != 1) {
                return "self-consistency plan mixes variants " + String.join(", ", bases);
            }
        }
        return null;
    }

    /** The first output of each serving member, in plan order; others (and MOVED notices) are ignored. */
    private static List<ModelOutput> members(List<String> serving, List<ModelOutput> outputs) {
        Map<String, ModelOutput> first = new LinkedHashMap<>();
        for (ModelOutput o : outputs) {
            if (o.getStatus() != OutputStatus.MOVED) {
                first.putIfAbsent(o.getVariant(), o);
            }
        }
        List<ModelOutput> members = new ArrayList<>();
        for (String v : serving) {
            ModelOutput o = first.get(v);
            if (o != null) {
                members.add(o);
            }
        }
        return members;
    }

    private static List<String> missing(List<String> serving, List<ModelOutput> members) {
        List<String> reported = members.stream().map(ModelOutput::getVariant).toList();
        return serving.stream().filter(v -> !reported.contains(v)).toList();
    }

    private static InferenceResult allFailed(Plan plan, List<String> serving, List<ModelOutput> members, long nowMs) {
        boolean anyLate = members.stream().anyMatch(o -> o.getStatus() == OutputStatus.DEADLINE_EXCEEDED);
        String details = members.stream()
                .map(o -> o.getVariant() + ": " + o.getStatus()
                        + (o.getReason() == null ? "" : " (" + o.getReason() + ")"))
                .collect(Collectors.joining("; "));
        ResultStatus status = anyLate ? ResultStatus.DEADLINE_EXCEEDED : ResultStatus.INVALID;
        String reason = (anyLate ? "no member met the deadline: " : "every member failed: ") + details;
        return terminal(plan, serving, members, nowMs, status).setReason(reason).build();
    }

    private static InferenceResult voted(Voter voter, Plan plan, List<String> serving, List<ModelOutput> members,
                                         List<ModelOutput> ok, long nowMs, ResultStatus status, String reason) {
        VoteOutcome outcome = voter.vote(ok);
        return terminal(plan, serving, members, nowMs, status)
                .setLabel(outcome.label())
                .setConfidence(outcome.confidence())
                .setVotes(outcome.votes())
                .setReason(reason)
                .build();
    }

    private static InferenceResult.Builder terminal(Plan plan, List<String> serving, List<ModelOutput> members,
                                                    long nowMs, ResultStatus status) {
        return InferenceResult.newBuilder()
                .setRequestId(plan.getRequestId())
                .setStatus(status)
                .setRevision(0)
                .setFinal$(true)
                .setVariants(List.copyOf(serving))
                .setPolicy(plan.getPolicy())
                .setCreatedAtMs(plan.getCreatedAtMs())
                .setDeadlineMs(plan.getDeadlineMs())
                .setCompletedAtMs(nowMs)
                .setLatency(latency(plan, members, nowMs));
    }

    /**
     * Stage breakdown. With no member output (rejected, invalid, or nothing arrived) the
     * aggregate stage runs from the plan, so the stages still add up to about the total.
     */
    static StageLatency latency(Plan plan, List<ModelOutput> members, long nowMs) {
        long lastUpstreamMs = members.stream().mapToLong(ModelOutput::getCompletedAtMs).max()
                .orElse(plan.getPlannedAtMs());
        return StageLatency.newBuilder()
                .setIngestMs(plan.getReceivedAtMs() - plan.getCreatedAtMs())
                .setSelectMs(plan.getPlannedAtMs() - plan.getReceivedAtMs())
                .setQueueMs(members.stream().mapToDouble(ModelOutput::getQueueMs).max().orElse(0))
                .setComputeMs(members.stream().mapToDouble(ModelOutput::getComputeMs).max().orElse(0))
                .setAggregateMs(nowMs - lastUpstreamMs)
                .setTotalMs(nowMs - plan.getCreatedAtMs())
                .build();
    }

    private static String orDefault(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }
}
