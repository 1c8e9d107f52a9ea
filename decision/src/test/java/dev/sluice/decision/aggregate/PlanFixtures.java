package dev.sluice.decision.aggregate;

import static dev.sluice.decision.vote.MemberFixtures.T0;

import dev.sluice.decision.vote.VoteMethod;
import java.util.List;

/** Plans for tests. Times: created T0-10, received T0-8, planned T0-5. */
final class PlanFixtures {
    static final long CREATED = T0 - 10;
    static final long RECEIVED = T0 - 8;
    static final long PLANNED = T0 - 5;

    private PlanFixtures() {}

    static PlanView serve(VoteMethod vote, long deadlineMs, String... variants) {
        return plan(PlanAction.SERVE, null, vote, deadlineMs, variants);
    }

    static PlanView plan(PlanAction action, String reason, VoteMethod vote, long deadlineMs, String... variants) {
        return new PlanView("r", action, reason, List.of(variants), vote, 0f, "test-policy", CREATED, RECEIVED, PLANNED,
                deadlineMs, true, 0, 0);
    }

    /** The plan with an early-confidence threshold. */
    static PlanView withEarlyConfidence(PlanView p, float threshold) {
        return new PlanView(p.requestId(), p.action(), p.reason(), p.variants(), p.vote(), threshold, p.policy(),
                p.createdAtMs(), p.receivedAtMs(), p.plannedAtMs(), p.deadlineMs(), p.finalOnly(), p.partsMissing(),
                p.partCount());
    }

    /** The plan of a request in {@code partCount} parts, {@code partsMissing} of them still to come. */
    static PlanView inParts(PlanView p, int partsMissing, int partCount, boolean finalOnly) {
        return new PlanView(p.requestId(), p.action(), p.reason(), p.variants(), p.vote(), p.earlyConfidence(), p.policy(),
                p.createdAtMs(), p.receivedAtMs(), p.plannedAtMs(), p.deadlineMs(), finalOnly, partsMissing, partCount);
    }
}
