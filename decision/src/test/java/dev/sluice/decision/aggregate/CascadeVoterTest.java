package dev.sluice.decision.aggregate;

import static dev.sluice.decision.aggregate.PlanFixtures.serve;
import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.escalated;
import static dev.sluice.decision.vote.MemberFixtures.failed;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import dev.sluice.decision.vote.VoteMethod;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Cascades in the decider: the last stage that answered wins; escalations are waited for until the deadline. */
class CascadeVoterTest {
    private final AggregationDecider decider = new AggregationDecider();
    private final PlanView plan = serve(VoteMethod.CASCADE, T0 + 100, "cnn-small", "vgg-tta");

    @Test
    void aSureFirstStageAnswersAloneAndTheSkippedStageIsCountedAsSaved() {
        Answer a = decider.answer(plan, List.of(ok("cnn-small", 3, 0.97f, T0)), T0).orElseThrow();
        assertEquals(RequestStatus.OK, a.result().status());
        assertEquals(3, a.result().label());
        assertEquals(List.of("vgg-tta"), a.skippedMembers());
        assertEquals("cascade answered by cnn-small; not run: vgg-tta", a.result().reason());
    }

    @Test
    void anEscalatedRequestWaitsForTheNextStageWhichAnswers() {
        MemberOutput first = escalated(ok("cnn-small", 3, 0.55f, T0), "vgg-tta");
        assertTrue(decider.answer(plan, List.of(first), T0).isEmpty());
        RequestResult r = decider.decide(plan, List.of(first, ok("vgg-tta", 6, 0.7f, T0 + 5)), T0 + 5).orElseThrow();
        assertEquals(RequestStatus.OK, r.status());
        assertEquals(6, r.label());
        assertEquals(0.7f, r.confidence());
        assertEquals(2, r.votes().size());
    }

    @Test
    void theNextStageArrivingFirstStillWaitsForNothingElse() {
        // outputs may arrive in any order: the second stage's answer settles the cascade either way
        MemberOutput first = escalated(ok("cnn-small", 3, 0.55f, T0), "vgg-tta");
        RequestResult r = decider.decide(plan, List.of(ok("vgg-tta", 6, 0.7f, T0), first), T0).orElseThrow();
        assertEquals(6, r.label());
    }

    @Test
    void aFailedNextStageLeavesTheFirstAnswerStanding() {
        MemberOutput first = escalated(ok("cnn-small", 3, 0.55f, T0), "vgg-tta");
        RequestResult r = decider.decide(plan, List.of(first,
                failed("vgg-tta", MemberStatus.DEADLINE_EXCEEDED, "too late", T0 + 5)), T0 + 5).orElseThrow();
        assertEquals(RequestStatus.OK, r.status());
        assertEquals(3, r.label());
    }

    @Test
    void atTheDeadlineAnUnansweredEscalationEndsPartialWithTheFirstAnswer() {
        MemberOutput first = escalated(ok("cnn-small", 3, 0.55f, T0), "vgg-tta");
        assertTrue(decider.answer(plan, List.of(first), T0 + 99).isEmpty());
        RequestResult r = decider.decide(plan, List.of(first), T0 + 100).orElseThrow();
        assertEquals(RequestStatus.PARTIAL, r.status());
        assertEquals(3, r.label());
    }

    @Test
    void aThreeStageCascadeFollowsTheChain() {
        PlanView three = serve(VoteMethod.CASCADE, T0 + 100, "mlp", "vgg", "vgg-tta");
        MemberOutput a = escalated(ok("mlp", 1, 0.4f, T0), "vgg");
        MemberOutput b = escalated(ok("vgg", 2, 0.6f, T0 + 1), "vgg-tta");
        assertTrue(decider.answer(three, List.of(a, b), T0 + 1).isEmpty());
        MemberOutput bSure = ok("vgg", 2, 0.95f, T0 + 1);
        Answer done = decider.answer(three, List.of(a, bSure), T0 + 1).orElseThrow();
        assertEquals(2, done.result().label());
        assertEquals(List.of("vgg-tta"), done.skippedMembers());
    }
}
