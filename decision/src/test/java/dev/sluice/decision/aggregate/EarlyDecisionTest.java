package dev.sluice.decision.aggregate;

import static dev.sluice.decision.aggregate.PlanFixtures.serve;
import static dev.sluice.decision.aggregate.PlanFixtures.withEarlyConfidence;
import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.failed;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static dev.sluice.decision.vote.MemberFixtures.probs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.vote.Ballot;
import dev.sluice.decision.vote.MajorityVoter;
import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import dev.sluice.decision.vote.PassThroughVoter;
import dev.sluice.decision.vote.VoteMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When an answer may go out before every member reported: the voters' arithmetic and the decider. */
class EarlyDecisionTest {
    private static final long DEADLINE = T0 + 100;
    private final MajorityVoter majority = new MajorityVoter();
    private final AggregationDecider decider = new AggregationDecider();

    private static List<MemberOutput> labels(int... labels) {
        List<MemberOutput> out = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            out.add(ok("m" + i, labels[i], 0.6f, T0));
        }
        return out;
    }

    private static List<String> outstanding(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("x" + i);
        }
        return out;
    }

    @Test
    void majoritySettlesWhenTheLeaderBeatsRunnerUpPlusOutstanding() {
        assertTrue(majority.cannotBeOverturned(labels(2, 2), outstanding(1)));        // 2 > 0 + 1
        assertTrue(majority.cannotBeOverturned(labels(2, 2, 2), outstanding(2)));     // 3 > 0 + 2
        assertTrue(majority.cannotBeOverturned(labels(2, 2, 2, 5), outstanding(1)));  // 3 > 1 + 1
        assertTrue(majority.cannotBeOverturned(labels(2, 5), outstanding(0)));
    }

    @Test
    void majorityWaitsWhileTheOutstandingCouldOvertakeOrTie() {
        assertFalse(majority.cannotBeOverturned(labels(2, 5), outstanding(1)));       // 1 !> 1 + 1
        assertFalse(majority.cannotBeOverturned(labels(2), outstanding(2)));          // 1 !> 0 + 2
        assertFalse(majority.cannotBeOverturned(labels(2, 2), outstanding(2)));       // a 2-2 tie is possible
        assertFalse(majority.cannotBeOverturned(labels(2, 2, 5), outstanding(2)));    // 2 !> 1 + 2
    }

    @Test
    void theConfidenceThresholdSettlesAtOnceWhenReached() {
        List<MemberOutput> sure = List.of(ok("a", 3, 0.97f, T0));
        assertTrue(majority.isSettled(sure, outstanding(2), 0.95f));
        assertFalse(majority.isSettled(sure, outstanding(2), 0.98f));
        assertFalse(majority.isSettled(sure, outstanding(2), 0f));        // 0 = off
        assertFalse(majority.isSettled(List.of(), outstanding(2), 0.5f)); // nothing to be confident about
        assertTrue(majority.isSettled(List.of(), List.of(), 0f));
    }

    @Test
    void passThroughKnowsNoArithmetic() {
        assertFalse(new PassThroughVoter().cannotBeOverturned(labels(1), outstanding(1)));
    }

    @Test
    void twoAgreeingOfThreeAnswerEarlyNamingTheSkippedMember() {
        PlanView three = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");
        Answer a = decider.answer(three, List.of(ok("a", 4, 0.9f, T0), ok("ccc", 4, 0.7f, T0)), T0 + 1)
                .orElseThrow();
        assertTrue(a.isEarly());
        assertEquals(List.of("bb"), a.skippedMembers());
        assertEquals(RequestStatus.OK, a.result().status());
        assertEquals(4, a.result().label());
        assertEquals(List.of(new Ballot("a", 4, 0.9f), new Ballot("ccc", 4, 0.7f)), a.result().votes());
        assertEquals(List.of("a", "bb", "ccc"), a.result().variants());
        assertEquals("decided early; 1 of 3 members outstanding", a.result().reason());
    }

    @Test
    void aFailedMemberIsNotOutstanding() {
        PlanView three = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");
        List<MemberOutput> outs = List.of(failed("bb", MemberStatus.ERROR, "oom", T0), ok("a", 4, 0.9f, T0));
        assertEquals(Optional.empty(), decider.answer(three, outs, T0 + 1)); // 1 !> 0 + 1 (ccc)
        Answer a = decider.answer(three, List.of(outs.get(0), outs.get(1), ok("ccc", 4, 0.8f, T0)), T0 + 1)
                .orElseThrow();
        assertFalse(a.isEarly());
        assertEquals(null, a.result().reason());
    }

    @Test
    void thePlansEarlyConfidenceAnswersOnTheFirstSureMember() {
        PlanView cascade = withEarlyConfidence(serve(VoteMethod.MAJORITY, DEADLINE, "cnn", "vgg"), 0.9f);
        Answer a = decider.answer(cascade, List.of(ok("cnn", 7, 0.93f, T0)), T0 + 1).orElseThrow();
        assertEquals(List.of("vgg"), a.skippedMembers());
        assertEquals(7, a.result().label());
        assertEquals(Optional.empty(), decider.answer(cascade, List.of(ok("cnn", 7, 0.85f, T0)), T0 + 1));
    }

    @Test
    void probabilityAveragingAnswersEarlyOnlyWhenTheArgmaxIsSafe() {
        PlanView three = serve(VoteMethod.PROBABILITY_AVERAGE, DEADLINE, "a", "bb", "ccc");
        List<MemberOutput> sure = List.of(probs("a", T0, 0.95f, 0.05f), probs("bb", T0, 0.9f, 0.1f));
        assertEquals(List.of("ccc"), decider.answer(three, sure, T0 + 1).orElseThrow().skippedMembers());
        List<MemberOutput> unsure = List.of(probs("a", T0, 0.7f, 0.3f), probs("bb", T0, 0.7f, 0.3f));
        assertEquals(Optional.empty(), decider.answer(three, unsure, T0 + 1));
    }

    @Test
    void anAnswerAtTheDeadlineIsNotEarly() {
        PlanView three = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");
        Answer a = decider.answer(three, List.of(ok("a", 1, 0.9f, T0), ok("bb", 2, 0.8f, T0)), DEADLINE)
                .orElseThrow();
        assertEquals(RequestStatus.PARTIAL, a.result().status());
        assertFalse(a.isEarly());
    }

    @Test
    void aSelfConsistencyPlanMustNameViewsOfOneVariant() {
        PlanView mixed = serve(VoteMethod.SELF_CONSISTENCY, DEADLINE, "vgg#view0", "cnn#view0");
        Answer a = decider.answer(mixed, List.of(), T0).orElseThrow();
        assertEquals(RequestStatus.INVALID, a.result().status());
        assertEquals("self-consistency plan mixes variants vgg, cnn", a.result().reason());
    }
}
