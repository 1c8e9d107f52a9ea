package dev.sluice.aggregator;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.ResultStatus;
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
final class RevisionDecider {
    /** What to do now. {@code result} is null for {@link Kind#WAIT}. */
    record Step(Kind kind, InferenceResult result, List<String> skippedMembers) {
        static final Step WAIT = new Step(Kind.WAIT, null, List.of());

        /** Whether the client sees this result: always for a final, for a provisional unless it asked for final only. */
        boolean emitted(Plan plan) {
            return kind == Kind.FINAL || (kind == Kind.PROVISIONAL && !plan.getFinalOnly());
        }
    }

    enum Kind { WAIT, PROVISIONAL, FINAL }

    private final AggregationDecider decider;

    RevisionDecider(AggregationDecider decider) {
        this.decider = decider;
    }

    /**
     * @param provisional the last provisional answer kept for this request (emitted or held back), or null
     */
    Step next(Plan plan, List<ModelOutput> outputs, InferenceResult provisional, long nowMs) {
        if (plan == null) {
            return Step.WAIT;
        }
        boolean complete = plan.getPartsMissing() <= 0 || plan.getDecision() != PlanDecision.SERVE;
        boolean due = nowMs >= decider.dueAtMs(plan);
        if (complete) {
            return decider.answer(plan, outputs, nowMs)
                    .map(a -> new Step(Kind.FINAL, finalAfter(a.result(), provisional, plan, null), a.skippedMembers()))
                    .orElse(Step.WAIT);
        }
        String missingParts = plan.getPartsMissing() + " of " + plan.getPartCount() + " parts never arrived";
        if (plan.getVariants().isEmpty()) { // held until every part is in, and they were not
            if (!due) {
                return Step.WAIT;
            }
            InferenceResult r = InferenceResult.newBuilder()
                    .setRequestId(plan.getRequestId()).setStatus(ResultStatus.DEADLINE_EXCEEDED).setRevision(0).setFinal$(true)
                    .setReason("deadline passed; " + missingParts).setPolicy(plan.getPolicy())
                    .setCreatedAtMs(plan.getCreatedAtMs()).setDeadlineMs(plan.getDeadlineMs()).setCompletedAtMs(nowMs)
                    .setLatency(AggregationDecider.latency(plan, List.of(), nowMs)).build();
            return new Step(Kind.FINAL, r, List.of());
        }
        if (due) {
            if (provisional != null && provisional.getVariants().equals(AggregationDecider.serving(plan, outputs))) {
                InferenceResult stands = InferenceResult.newBuilder(provisional).setCompletedAtMs(nowMs).build();
                return new Step(Kind.FINAL, finalAfter(stands, provisional, plan, missingParts), List.of());
            }
            return decider.answer(plan, outputs, nowMs)
                    .map(a -> new Step(Kind.FINAL, finalAfter(a.result(), provisional, plan, missingParts), List.of()))
                    .orElse(Step.WAIT);
        }
        if (provisional != null && provisional.getVariants().equals(AggregationDecider.serving(plan, outputs))) {
            return Step.WAIT; // this plan's members already answered provisionally
        }
        Optional<Answer> a = decider.answer(plan, outputs, nowMs);
        if (a.isEmpty()) {
            return Step.WAIT;
        }
        InferenceResult r = InferenceResult.newBuilder(a.get().result())
                .setRevision(nextRevision(provisional, plan)).setFinal$(false)
                .setReason(join(a.get().result().getReason(), "provisional: " + plan.getPartsMissing() + " of "
                        + plan.getPartCount() + " parts still to come"))
                .build();
        return new Step(Kind.PROVISIONAL, r, List.of());
    }

    /** Whether a final answer changed the label of the provisional one the client saw. */
    static boolean corrects(InferenceResult finalResult, InferenceResult provisional) {
        return provisional != null && provisional.getLabel() != finalResult.getLabel();
    }

    private static InferenceResult finalAfter(InferenceResult answer, InferenceResult provisional, Plan plan, String note) {
        InferenceResult.Builder b = InferenceResult.newBuilder(answer).setFinal$(true).setRevision(nextRevision(provisional, plan));
        String reason = answer.getReason();
        if (note != null) {
            reason = join(reason, note + "; the answer from the parts present is final");
        }
        if (provisional != null && !plan.getFinalOnly()) {
            reason = join(reason, (corrects(answer, provisional) ? "corrects" : "confirms") + " revision "
                    + provisional.getRevision() + " (label " + provisional.getLabel() + ")");
        }
        return b.setReason(reason).build();
    }

    /** Revisions number what the client sees: a held-back provisional answer takes no number. */
    private static int nextRevision(InferenceResult provisional, Plan plan) {
        return provisional == null || plan.getFinalOnly() ? 0 : provisional.getRevision() + 1;
    }

    private static String join(String a, String b) {
        return a == null || a.isBlank() ? b : a + "; " + b;
    }
}
