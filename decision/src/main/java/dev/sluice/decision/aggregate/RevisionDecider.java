package dev.sluice.decision.aggregate;

import dev.sluice.decision.vote.MemberOutput;
import java.util.List;
import java.util.Optional;

/**
 * Turns a request's latest plan and outputs into its next result, for requests that arrive in
 * several parts (speculative inference, Li et al. MobiSys'21) as for requests in one. Pure: the
 * caller passes the time and the last provisional answer.
 *
 * <ul>
 *   <li>A plan made with every part present is final: its answer ends the request. When a
 *       provisional answer went out before, the final one is the next revision and its reason
 *       says whether it confirms or corrects it.</li>
 *   <li>A plan made with parts missing gives a provisional answer (not final) once its members
 *       settle, at most one per plan revision. A client that asked for final results only does not
 *       get it, but it is kept.</li>
 *   <li>At the deadline (plus grace) with parts still missing, the answer from the parts present
 *       becomes final; with none, the request ends DEADLINE_EXCEEDED naming the missing parts.</li>
 * </ul>
 */
public final class RevisionDecider {
    /** What to do now. {@code result} is null for {@link Kind#WAIT}. */
    public record Step(Kind kind, RequestResult result, List<String> skippedMembers) {
        static final Step WAIT = new Step(Kind.WAIT, null, List.of());

        /** Whether the client sees this result: always for a final, for a provisional unless it asked for final only. */
        public boolean emitted(PlanView plan) {
            return kind == Kind.FINAL || (kind == Kind.PROVISIONAL && !plan.finalOnly());
        }
    }

    public enum Kind { WAIT, PROVISIONAL, FINAL }

    private final AggregationDecider decider;

    public RevisionDecider(AggregationDecider decider) {
        this.decider = decider;
    }

    /**
     * @param provisional the last provisional answer kept for this request (emitted or held back), or null
     */
    public Step next(PlanView plan, List<MemberOutput> outputs, RequestResult provisional, long nowMs) {
        if (plan == null) {
            return Step.WAIT;
        }
        boolean complete = plan.partsMissing() <= 0 || plan.action() != PlanAction.SERVE;
        boolean due = nowMs >= decider.dueAtMs(plan);
        if (complete) {
            return decider.answer(plan, outputs, nowMs)
                    .map(a -> new Step(Kind.FINAL, finalAfter(a.result(), provisional, plan, null), a.skippedMembers()))
                    .orElse(Step.WAIT);
        }
        String missingParts = plan.partsMissing() + " of " + plan.partCount() + " parts never arrived";
        if (plan.variants().isEmpty()) { // held until every part is in, and they were not
            if (!due) {
                return Step.WAIT;
            }
            RequestResult r = new RequestResult(plan.requestId(), RequestStatus.DEADLINE_EXCEEDED, 0, true, -1, 0f, List.of(),
                    List.of(), AggregationDecider.latency(plan, List.of(), nowMs), "deadline passed; " + missingParts,
                    plan.policy(), plan.createdAtMs(), plan.deadlineMs(), nowMs);
            return new Step(Kind.FINAL, r, List.of());
        }
        if (due) {
            if (provisional != null && provisional.variants().equals(AggregationDecider.serving(plan, outputs))) {
                RequestResult stands = provisional.withCompletedAtMs(nowMs);
                return new Step(Kind.FINAL, finalAfter(stands, provisional, plan, missingParts), List.of());
            }
            return decider.answer(plan, outputs, nowMs)
                    .map(a -> new Step(Kind.FINAL, finalAfter(a.result(), provisional, plan, missingParts), List.of()))
                    .orElse(Step.WAIT);
        }
        if (provisional != null && provisional.variants().equals(AggregationDecider.serving(plan, outputs))) {
            return Step.WAIT; // this plan's members already answered provisionally
        }
        Optional<Answer> a = decider.answer(plan, outputs, nowMs);
        if (a.isEmpty()) {
            return Step.WAIT;
        }
        RequestResult r = a.get().result().withRevision(nextRevision(provisional, plan), false)
                .withReason(join(a.get().result().reason(), "provisional: " + plan.partsMissing() + " of "
                        + plan.partCount() + " parts still to come"));
        return new Step(Kind.PROVISIONAL, r, List.of());
    }

    /**
     * Whether a plan of revision {@code incoming} replaces the request's plan of revision
     * {@code current}: only a later revision does (a redelivered or overtaken earlier one is
     * dropped); the outputs in so far stay with the request.
     */
    public static boolean replaces(int incoming, int current) {
        return incoming > current;
    }

    /** Whether a final answer changed the label of the provisional one the client saw. */
    public static boolean corrects(RequestResult finalResult, RequestResult provisional) {
        return provisional != null && provisional.label() != finalResult.label();
    }

    private static RequestResult finalAfter(RequestResult answer, RequestResult provisional, PlanView plan, String note) {
        String reason = answer.reason();
        if (note != null) {
            reason = join(reason, note + "; the answer from the parts present is final");
        }
        if (provisional != null && !plan.finalOnly()) {
            reason = join(reason, (corrects(answer, provisional) ? "corrects" : "confirms") + " revision "
                    + provisional.revision() + " (label " + provisional.label() + ")");
        }
        return answer.withRevision(nextRevision(provisional, plan), true).withReason(reason);
    }

    /** Revisions number what the client sees: a held-back provisional answer takes no number. */
    private static int nextRevision(RequestResult provisional, PlanView plan) {
        return provisional == null || plan.finalOnly() ? 0 : provisional.revision() + 1;
    }

    private static String join(String a, String b) {
        return a == null || a.isBlank() ? b : a + "; " + b;
    }
}
