package dev.sluice.decision.aggregate;

import dev.sluice.decision.VariantViews;
import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import dev.sluice.decision.vote.OutputTensor;
import dev.sluice.decision.vote.TensorMeanVoter;
import dev.sluice.decision.vote.VoteMethod;
import dev.sluice.decision.vote.VoteOutcome;
import dev.sluice.decision.vote.Voter;
import dev.sluice.decision.vote.Voters;
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
 *
 * <p>Members whose answers are output tensors rather than a class (an embedding model) are passed
 * through when the plan has one member, averaged when its vote is {@code MEAN}, and refused with
 * the reason (INVALID, at the first such output) under a vote that counts classes.
 *
 * <p>A request that asked for a default answer may carry a {@link FallbackRun}: when no member
 * answered by the deadline, the fallback's output answers, flagged a default answer, unless the
 * plan's {@link DefaultAnswer} is more accurate.
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
    public long dueAtMs(PlanView plan) {
        return plan.deadlineMs() + graceMs;
    }

    /**
     * @param plan the request's plan, or null when only outputs have arrived (always waits)
     * @param outputs every output received for the request, in arrival order, duplicates allowed
     * @return the terminal result, or empty to wait for more outputs or the deadline
     */
    public Optional<RequestResult> decide(PlanView plan, List<MemberOutput> outputs, long nowMs) {
        return answer(plan, outputs, nowMs).map(Answer::result);
    }

    /** As {@link #decide}, also naming the members an early answer did not wait for. */
    public Optional<Answer> answer(PlanView plan, List<MemberOutput> outputs, long nowMs) {
        if (plan == null) {
            return Optional.empty();
        }
        if (plan.action() == PlanAction.REJECT) {
            return Optional.of(Answer.of(terminal(plan, plan.variants(), List.of(), nowMs, RequestStatus.REJECTED,
                    orDefault(plan.reason(), "rejected by the selector"))));
        }
        if (plan.action() == PlanAction.EXPIRED) { // late inside Sluice, before the selector: not the client's fault
            return Optional.of(Answer.of(terminal(plan, plan.variants(), List.of(), nowMs, RequestStatus.DEADLINE_EXCEEDED,
                    orDefault(plan.reason(), "deadline passed before the selector read the request"))));
        }
        if (plan.action() == PlanAction.INVALID) {
            return Optional.of(Answer.of(terminal(plan, plan.variants(), List.of(), nowMs, RequestStatus.INVALID,
                    orDefault(plan.reason(), "invalid request"))));
        }
        String planProblem = planProblem(plan);
        if (planProblem != null) {
            return Optional.of(Answer.of(
                    terminal(plan, plan.variants(), List.of(), nowMs, RequestStatus.INVALID, planProblem)));
        }
        Voter voter = voters.of(plan.vote());
        Map<String, String> movedTo = movedTo(outputs);
        List<String> serving = serving(plan, movedTo);
        List<MemberOutput> members = members(serving, outputs);
        List<MemberOutput> ok = members.stream().filter(o -> o.status() == MemberStatus.OK).toList();
        List<String> missing = missing(serving, members);
        String moves = moves(movedTo);
        String refused = outputsProblem(plan.vote(), ok);
        if (refused != null) { // no vote can settle it: say why now rather than at the deadline
            return Optional.of(Answer.of(terminal(plan, serving, members, nowMs, RequestStatus.INVALID, refused)));
        }
        if (!ok.isEmpty() && voter.isSettled(ok, missing, plan.earlyConfidence())) {
            String reason = missing.isEmpty() ? null
                    : plan.vote() == VoteMethod.CASCADE ? "cascade answered by " + ok.get(ok.size() - 1).member()
                            + "; not run: " + String.join(", ", missing)
                    : "decided early; " + missing.size() + " of " + serving.size() + " members outstanding";
            return Optional.of(new Answer(voted(voter, plan, serving, members, ok, nowMs, RequestStatus.OK, join(moves, reason)),
                    missing));
        }
        if (missing.isEmpty()) {
            RequestResult failed = allFailed(plan, serving, members, nowMs);
            if (failed.status() == RequestStatus.DEADLINE_EXCEEDED && awaitsFallback(plan, outputs) && nowMs < dueAtMs(plan)) {
                return Optional.empty(); // every member was late; the fallback run may still answer in time
            }
            return Optional.of(Answer.of(failed.status() == RequestStatus.DEADLINE_EXCEEDED
                    ? orDefault(plan, failed, members, outputs, nowMs) : failed));
        }
        if (nowMs < dueAtMs(plan)) {
            return Optional.empty();
        }
        String reason = join(moves, "deadline passed; missing variants: " + String.join(", ", missing));
        if (!ok.isEmpty()) {
            return Optional.of(Answer.of(voted(voter, plan, serving, members, ok, nowMs, RequestStatus.PARTIAL, reason)));
        }
        return Optional.of(Answer.of(orDefault(plan,
                terminal(plan, serving, members, nowMs, RequestStatus.DEADLINE_EXCEEDED, reason), members, outputs, nowMs)));
    }

    /**
     * The answer to a request that re-used the id of an earlier one (another origin): INVALID,
     * after the earlier request's own answer. Either origin ("topic-partition@offset" of the
     * client's record) may be null when unknown.
     */
    public RequestResult duplicate(PlanView plan, String firstOrigin, String thisOrigin, long nowMs) {
        return terminal(plan, List.of(), List.of(), nowMs, RequestStatus.INVALID,
                "duplicate request id '" + plan.requestId() + "': the id was already used by the request at "
                        + (firstOrigin == null ? "an earlier offset" : firstOrigin) + " (this one is at "
                        + (thisOrigin == null ? "an unknown offset" : thisOrigin)
                        + "); that request gets its own answer and this one's model outputs are ignored; "
                        + "give every request a new id");
    }

    /**
     * The plan's members, in plan order, each replaced by where it was re-planned to when a
     * {@code MOVED} output says so (followed through repeated moves).
     */
    static List<String> serving(PlanView plan, List<MemberOutput> outputs) {
        return serving(plan, movedTo(outputs));
    }

    private static List<String> serving(PlanView plan, Map<String, String> movedTo) {
        List<String> serving = new ArrayList<>();
        for (String v : plan.variants()) {
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

    private static Map<String, String> movedTo(List<MemberOutput> outputs) {
        Map<String, String> movedTo = new HashMap<>();
        for (MemberOutput o : outputs) {
            if (o.status() == MemberStatus.MOVED && o.escalatedTo() != null) {
                movedTo.putIfAbsent(o.member(), o.escalatedTo());
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
    private static String planProblem(PlanView plan) {
        if (plan.variants().isEmpty()) {
            return "plan serves no variants";
        }
        if (plan.vote() == VoteMethod.PASS_THROUGH && plan.variants().size() != 1) {
            return "pass-through plan names " + plan.variants().size() + " variants";
        }
        if (plan.vote() == VoteMethod.SELF_CONSISTENCY) {
            List<String> bases = plan.variants().stream().map(VariantViews::baseOf).distinct().toList();
            if (bases.size() != 1) {
                return "self-consistency plan mixes variants " + String.join(", ", bases);
            }
        }
        return null;
    }

    /** The first output of each serving member, in plan order; others (and MOVED notices) are ignored. */
    private static List<MemberOutput> members(List<String> serving, List<MemberOutput> outputs) {
        Map<String, MemberOutput> first = new LinkedHashMap<>();
        for (MemberOutput o : outputs) {
            if (o.status() != MemberStatus.MOVED) {
                first.putIfAbsent(o.member(), o);
            }
        }
        List<MemberOutput> members = new ArrayList<>();
        for (String v : serving) {
            MemberOutput o = first.get(v);
            if (o != null) {
                members.add(o);
            }
        }
        return members;
    }

    private static List<String> missing(List<String> serving, List<MemberOutput> members) {
        List<String> reported = members.stream().map(MemberOutput::member).toList();
        return serving.stream().filter(v -> !reported.contains(v)).toList();
    }

    /**
     * {@code exceeded} (no member answered by the deadline), or, when the plan carries a default
     * answer, that answer instead: status OK, flagged {@code defaultAnswer}, the reason saying what
     * it is and why; no votes (no member voted). Of the fallback run's output (among
     * {@code outputs}) and the plan's {@link DefaultAnswer}, the more accurate answers; the
     * fallback's when they tie (it ran on this very input).
     */
    static RequestResult orDefault(PlanView plan, RequestResult exceeded, List<MemberOutput> members,
            List<MemberOutput> outputs, long nowMs) {
        DefaultAnswer d = plan.deadlineDefault();
        MemberOutput run = fallbackOutput(plan, outputs);
        if (run != null && (d == null || d.accuracy() <= plan.fallback().accuracy())) {
            List<MemberOutput> counted = new ArrayList<>(members);
            counted.add(run);
            return new RequestResult(plan.requestId(), RequestStatus.OK, 0, true, run.label(), run.confidence(),
                    List.of(run.member()), List.of(), latency(plan, counted, nowMs), exceeded.reason()
                            + String.format(java.util.Locale.ROOT, "; default answer: the fast fallback run of %s (accuracy %.4f)",
                                    run.member(), plan.fallback().accuracy()),
                    plan.policy(), plan.createdAtMs(), plan.deadlineMs(), nowMs, run.probabilities(), true, run.tensors());
        }
        if (d == null) {
            return exceeded;
        }
        return new RequestResult(plan.requestId(), RequestStatus.OK, 0, true, d.label(), d.confidence(), d.variants(),
                List.of(), latency(plan, members, nowMs), exceeded.reason() + "; default answer: " + d.describe(),
                plan.policy(), plan.createdAtMs(), plan.deadlineMs(), nowMs, List.of(), true);
    }

    /** The fallback run's OK output, or null when the plan has none or it has not answered. */
    private static MemberOutput fallbackOutput(PlanView plan, List<MemberOutput> outputs) {
        if (plan.fallback() == null) {
            return null;
        }
        return outputs.stream().filter(o -> o.member().equals(plan.fallback().variant()) && o.status() == MemberStatus.OK)
                .findFirst().orElse(null);
    }

    /** Whether the plan has a fallback run that has not reported yet (an OK or a failed output). */
    private static boolean awaitsFallback(PlanView plan, List<MemberOutput> outputs) {
        return plan.fallback() != null && outputs.stream().noneMatch(o -> o.member().equals(plan.fallback().variant())
                && o.status() != MemberStatus.MOVED);
    }

    /**
     * Why the plan's vote cannot combine these OK outputs, or null when it can: a vote that counts
     * classes over members that answered with output tensors, or a mean of outputs that are not
     * averageable ({@link TensorMeanVoter#problem}). Pass-through takes any one answer.
     */
    static String outputsProblem(VoteMethod vote, List<MemberOutput> ok) {
        if (ok.isEmpty() || vote == VoteMethod.PASS_THROUGH) {
            return null;
        }
        if (vote == VoteMethod.MEAN) {
            return TensorMeanVoter.problem(ok);
        }
        List<MemberOutput> tensors = ok.stream().filter(MemberOutput::isTensorAnswer).toList();
        if (tensors.isEmpty()) {
            return null;
        }
        MemberOutput first = tensors.get(0);
        return "vote " + vote + " counts classes, but " + tensors.stream().map(MemberOutput::member).collect(Collectors.joining(", "))
                + " answered with output tensors (" + first.tensors().stream().map(OutputTensor::describe)
                        .collect(Collectors.joining(", ")) + "), not a class: a plan over such models serves one member "
                + "or averages them with vote MEAN (policy fixed:<a>+<b>:mean)";
    }

    private static RequestResult allFailed(PlanView plan, List<String> serving, List<MemberOutput> members, long nowMs) {
        boolean anyLate = members.stream().anyMatch(o -> o.status() == MemberStatus.DEADLINE_EXCEEDED);
        String details = members.stream()
                .map(o -> o.member() + ": " + o.status()
                        + (o.reason() == null ? "" : " (" + o.reason() + ")"))
                .collect(Collectors.joining("; "));
        RequestStatus status = anyLate ? RequestStatus.DEADLINE_EXCEEDED : RequestStatus.INVALID;
        String reason = (anyLate ? "no member met the deadline: " : "every member failed: ") + details;
        return terminal(plan, serving, members, nowMs, status, reason);
    }

    private static RequestResult voted(Voter voter, PlanView plan, List<String> serving, List<MemberOutput> members,
                                         List<MemberOutput> ok, long nowMs, RequestStatus status, String reason) {
        VoteOutcome outcome = voter.vote(ok);
        return new RequestResult(plan.requestId(), status, 0, true, outcome.label(), outcome.confidence(), serving,
                outcome.votes(), latency(plan, members, nowMs), reason, plan.policy(), plan.createdAtMs(), plan.deadlineMs(),
                nowMs, meanProbabilities(ok), false, outcome.tensors());
    }

    /**
     * The class probabilities of an answer: the element-wise mean of the members' probability
     * vectors (one member: its own), over the members that sent one of the longest length; empty
     * when none did.
     */
    static List<Float> meanProbabilities(List<MemberOutput> ok) {
        int classes = ok.stream().mapToInt(o -> o.probabilities().size()).max().orElse(0);
        double[] sum = new double[classes];
        int n = 0;
        for (MemberOutput o : ok) {
            List<Float> p = o.probabilities();
            if (classes == 0 || p.size() != classes) {
                continue;
            }
            for (int i = 0; i < classes; i++) {
                sum[i] += p.get(i);
            }
            n++;
        }
        List<Float> mean = new ArrayList<>(n == 0 ? 0 : classes);
        for (int i = 0; n > 0 && i < classes; i++) {
            mean.add((float) (sum[i] / n));
        }
        return mean;
    }

    /** A final result without a vote: no label (-1), no confidence, no votes, no probabilities. */
    private static RequestResult terminal(PlanView plan, List<String> serving, List<MemberOutput> members, long nowMs,
                                          RequestStatus status, String reason) {
        return new RequestResult(plan.requestId(), status, 0, true, -1, 0f, serving, List.of(),
                latency(plan, members, nowMs), reason, plan.policy(), plan.createdAtMs(), plan.deadlineMs(), nowMs);
    }

    /**
     * Stage breakdown. With no member output (rejected, invalid, or nothing arrived) the
     * aggregate stage runs from the plan, so the stages still add up to about the total.
     */
    static StageTimes latency(PlanView plan, List<MemberOutput> members, long nowMs) {
        long lastUpstreamMs = members.stream().mapToLong(MemberOutput::completedAtMs).max()
                .orElse(plan.plannedAtMs());
        return new StageTimes(
                plan.receivedAtMs() - plan.createdAtMs(),
                plan.plannedAtMs() - plan.receivedAtMs(),
                members.stream().mapToDouble(MemberOutput::queueMs).max().orElse(0),
                members.stream().mapToDouble(MemberOutput::computeMs).max().orElse(0),
                nowMs - lastUpstreamMs,
                nowMs - plan.createdAtMs());
    }

    private static String orDefault(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }
}
