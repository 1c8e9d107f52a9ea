package dev.sluice.decision.aggregate;

import static dev.sluice.decision.aggregate.PlanFixtures.CREATED;
import static dev.sluice.decision.aggregate.PlanFixtures.plan;
import static dev.sluice.decision.aggregate.PlanFixtures.serve;
import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.escalated;
import static dev.sluice.decision.vote.MemberFixtures.failed;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.vote.Ballot;
import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import dev.sluice.decision.vote.VoteMethod;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AggregationDeciderTest {
    private static final long DEADLINE = T0 + 100;
    private final AggregationDecider decider = new AggregationDecider();
    private final PlanView three = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");

    private RequestResult answered(PlanView plan, List<MemberOutput> outputs, long now) {
        Optional<RequestResult> r = decider.decide(plan, outputs, now);
        assertTrue(r.isPresent(), "expected a result");
        return r.get();
    }

    @Test
    void waitsWithoutPlan() {
        assertEquals(Optional.empty(), decider.decide(null, List.of(ok("a", 1, 0.9f, T0)), DEADLINE + 1000));
    }

    @Test
    void rejectedPlanAnswersRejectedWithItsReason() {
        PlanView p = plan(PlanAction.REJECT, "overloaded", VoteMethod.MAJORITY, DEADLINE);
        RequestResult r = answered(p, List.of(), T0);
        assertEquals(RequestStatus.REJECTED, r.status());
        assertEquals("overloaded", r.reason());
        assertEquals(-1, r.label());
        assertEquals(0, r.revision());
        assertTrue(r.isFinal());
    }

    @Test
    void invalidPlanAnswersInvalidWithItsReason() {
        PlanView p = plan(PlanAction.INVALID, "bad tensor shape", VoteMethod.MAJORITY, DEADLINE);
        RequestResult r = answered(p, List.of(), T0);
        assertEquals(RequestStatus.INVALID, r.status());
        assertEquals("bad tensor shape", r.reason());
    }

    @Test
    void expiredPlanAnswersDeadlineExceededNotInvalid() {
        PlanView p = plan(PlanAction.EXPIRED, "deadline passed 40 ms before the selector read the request (queued in sluice.requests)",
                VoteMethod.MAJORITY, DEADLINE);
        RequestResult r = answered(p, List.of(), T0);
        assertEquals(RequestStatus.DEADLINE_EXCEEDED, r.status());
        assertTrue(r.reason().contains("before the selector read"), r.reason());
        assertTrue(r.isFinal());
    }

    @Test
    void aReusedIdIsAnsweredInvalidNamingBothOrigins() {
        PlanView p = plan(PlanAction.SERVE, null, VoteMethod.MAJORITY, DEADLINE, "a");
        RequestResult r = decider.duplicate(p, "sluice.requests-0@10", "sluice.requests-1@7", T0);
        assertEquals(RequestStatus.INVALID, r.status());
        assertTrue(r.reason().startsWith("duplicate request id"), r.reason());
        assertTrue(r.reason().contains("sluice.requests-0@10") && r.reason().contains("sluice.requests-1@7"), r.reason());
        assertEquals(List.of(), r.variants());
    }

    @Test
    void waitsUntilEveryPlannedVariantReported() {
        // two disagreeing votes: the outstanding third could still decide (agreeing ones settle early)
        List<MemberOutput> two = List.of(ok("a", 1, 0.9f, T0), ok("bb", 2, 0.8f, T0));
        assertEquals(Optional.empty(), decider.decide(three, two, DEADLINE - 1));
    }

    private static MemberOutput moved(String from, String to) {
        return escalated(failed(from, MemberStatus.MOVED, "re-planned while queued", T0), to);
    }

    @Test
    void aMovedMemberIsReplacedByTheVariantItMovedTo() {
        PlanView one = serve(VoteMethod.PASS_THROUGH, DEADLINE, "fusion-cnn");
        List<MemberOutput> notice = List.of(moved("fusion-cnn", "cnn-small"));
        assertEquals(List.of("cnn-small"), AggregationDecider.serving(one, notice));
        assertEquals(Optional.empty(), decider.decide(one, notice, T0 + 5), "waits for the variant it moved to");

        RequestResult r = answered(one, List.of(notice.get(0), ok("cnn-small", 7, 0.8f, T0 + 9)), T0 + 10);
        assertEquals(RequestStatus.OK, r.status());
        assertEquals(7, r.label());
        assertEquals(List.of("cnn-small"), r.variants(), "the result names who served it");
        assertEquals("re-planned while queued: fusion-cnn to cnn-small", r.reason());
    }

    @Test
    void aMovedMemberThatNeverAnswersLeavesTheDeadlineToDecide() {
        PlanView one = serve(VoteMethod.PASS_THROUGH, DEADLINE, "fusion-cnn");
        RequestResult r = answered(one, List.of(moved("fusion-cnn", "cnn-small")), DEADLINE);
        assertEquals(RequestStatus.DEADLINE_EXCEEDED, r.status());
        assertEquals("re-planned while queued: fusion-cnn to cnn-small; deadline passed; missing variants: cnn-small",
                r.reason());
        // an output of the planned variant after its task moved is not a member any more
        assertEquals(Optional.empty(), decider.decide(one, List.of(moved("fusion-cnn", "cnn-small"),
                ok("fusion-cnn", 1, 0.9f, T0)), T0 + 1));
    }

    @Test
    void aMoveInAnEnsembleKeepsTheOtherMembers() {
        List<MemberOutput> outs = List.of(ok("a", 1, 0.9f, T0), moved("bb", "b2"), ok("ccc", 2, 0.6f, T0),
                ok("b2", 1, 0.7f, T0));
        RequestResult r = answered(three, outs, T0 + 1);
        assertEquals(List.of("a", "b2", "ccc"), r.variants());
        assertEquals(1, r.label());
        assertEquals(List.of(new Ballot("a", 1, 0.9f), new Ballot("b2", 1, 0.7f), new Ballot("ccc", 2, 0.6f)), r.votes());
    }

    @Test
    void votesWhenAllReportedWithLatencyBreakdown() {
        List<MemberOutput> outs = List.of(
                ok("a", 1, 0.9f, T0 + 10), ok("ccc", 4, 0.7f, T0 + 30), ok("bb", 1, 0.5f, T0 + 20));
        RequestResult r = answered(three, outs, T0 + 35);
        assertEquals(RequestStatus.OK, r.status());
        assertEquals(1, r.label());
        assertEquals((float) ((0.9f + 0.5f) / 2.0), r.confidence());
        // votes in plan order
        assertEquals(List.of(new Ballot("a", 1, 0.9f), new Ballot("bb", 1, 0.5f), new Ballot("ccc", 4, 0.7f)), r.votes());
        assertEquals(List.of("a", "bb", "ccc"), r.variants());
        assertEquals(new StageTimes(2.0, 3.0, 3.0, 30.0, 5.0, 45.0), r.latency());
        assertEquals(T0 + 35, r.completedAtMs());
        assertEquals(CREATED, r.createdAtMs());
        assertEquals(DEADLINE, r.deadlineMs());
        assertEquals("test-policy", r.policy());
        assertEquals(null, r.reason());
    }

    @Test
    void duplicateOutputsOfOneVariantCountOnce() {
        PlanView two = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        List<MemberOutput> outs = List.of(ok("a", 3, 0.9f, T0), ok("a", 3, 0.9f, T0));
        assertEquals(Optional.empty(), decider.decide(two, outs, T0 + 1));
        RequestResult r = answered(two, List.of(outs.get(0), outs.get(1), ok("bb", 5, 0.95f, T0)), T0 + 1);
        assertEquals(5, r.label()); // 1 vote each; 5 has the higher confidence
        assertEquals(2, r.votes().size());
    }

    @Test
    void outputsOfUnplannedVariantsAreIgnored() {
        PlanView one = serve(VoteMethod.PASS_THROUGH, DEADLINE, "a");
        List<MemberOutput> outs = List.of(ok("zz", 2, 0.99f, T0), ok("a", 7, 0.6f, T0));
        RequestResult r = answered(one, outs, T0 + 1);
        assertEquals(7, r.label());
        assertEquals(List.of(new Ballot("a", 7, 0.6f)), r.votes());
        assertEquals(Optional.empty(), decider.decide(one, List.of(outs.get(0)), T0 + 1));
    }

    @Test
    void allMembersLateIsDeadlineExceeded() {
        PlanView two = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        RequestResult r = answered(two, List.of(
                failed("a", MemberStatus.DEADLINE_EXCEEDED, "dropped by batcher", T0),
                failed("bb", MemberStatus.ERROR, "oom", T0)), T0 + 1);
        assertEquals(RequestStatus.DEADLINE_EXCEEDED, r.status());
        assertEquals("no member met the deadline: a: DEADLINE_EXCEEDED (dropped by batcher); bb: ERROR (oom)",
                r.reason());
        assertEquals(List.of(), r.votes());
    }

    @Test
    void allMembersFailedIsInvalidWithTheirReasons() {
        PlanView two = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        RequestResult r = answered(two, List.of(
                failed("a", MemberStatus.ERROR, "bad input shape", T0),
                failed("bb", MemberStatus.ERROR, null, T0)), T0 + 1);
        assertEquals(RequestStatus.INVALID, r.status());
        assertEquals("every member failed: a: ERROR (bad input shape); bb: ERROR", r.reason());
    }

    @Test
    void oneFailedMemberDoesNotSpoilTheVote() {
        PlanView two = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        RequestResult r = answered(two, List.of(
                failed("a", MemberStatus.ERROR, "x", T0), ok("bb", 8, 0.7f, T0)), T0 + 1);
        assertEquals(RequestStatus.OK, r.status());
        assertEquals(8, r.label());
    }

    @Test
    void partialAtDeadlineVotesOverWhatArrived() {
        List<MemberOutput> two = List.of(ok("a", 1, 0.9f, T0), ok("ccc", 2, 0.7f, T0));
        RequestResult r = answered(three, two, DEADLINE);
        assertEquals(RequestStatus.PARTIAL, r.status());
        assertEquals(1, r.label());
        assertEquals(2, r.votes().size());
        assertEquals("deadline passed; missing variants: bb", r.reason());
    }

    @Test
    void nothingAtDeadlineIsDeadlineExceededNamingTheMissing() {
        List<MemberOutput> failedOnly = List.of(failed("bb", MemberStatus.ERROR, "x", T0));
        RequestResult r = answered(three, failedOnly, DEADLINE + 5);
        assertEquals(RequestStatus.DEADLINE_EXCEEDED, r.status());
        assertEquals("deadline passed; missing variants: a, ccc", r.reason());
        // with no OK member the aggregate stage runs from the last member output
        assertEquals(5.0 + 100, r.latency().aggregateMs());
        RequestResult none = answered(three, List.of(), DEADLINE);
        assertEquals(DEADLINE - PlanFixtures.PLANNED, none.latency().aggregateMs());
        assertEquals(0.0, none.latency().queueMs());
    }

    @Test
    void graceDelaysTheDeadlineAnswer() {
        AggregationDecider withGrace = new AggregationDecider(Duration.ofMillis(20));
        List<MemberOutput> one = List.of(ok("a", 1, 0.9f, T0));
        assertEquals(DEADLINE + 20, withGrace.dueAtMs(three));
        assertEquals(Optional.empty(), withGrace.decide(three, one, DEADLINE + 19));
        assertEquals(RequestStatus.PARTIAL, withGrace.decide(three, one, DEADLINE + 20).orElseThrow().status());
    }

    @Test
    void unservablePlansAreInvalid() {
        assertEquals("plan serves no variants",
                answered(serve(VoteMethod.MAJORITY, DEADLINE), List.of(), T0).reason());
        RequestResult r = answered(serve(VoteMethod.PASS_THROUGH, DEADLINE, "a", "bb"), List.of(), T0);
        assertEquals(RequestStatus.INVALID, r.status());
        assertEquals("pass-through plan names 2 variants", r.reason());
    }

    @Test
    void aPlanWithADefaultAnswersItFlaggedWhenNoMemberAnsweredByTheDeadline() {
        PlanView p = serve(VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        DefaultAnswer cached = new DefaultAnswer(4, 0.8f, List.of("mlp"), 0.8935, "cache");
        PlanView withDefault = new PlanView(p.requestId(), p.action(), p.reason(), p.variants(), p.vote(), 0f, p.policy(),
                p.createdAtMs(), p.receivedAtMs(), p.plannedAtMs(), p.deadlineMs(), true, 0, 0, cached);
        assertEquals(Optional.empty(), decider.decide(withDefault, List.of(), DEADLINE - 1), "waits for the members first");
        RequestResult r = decider.decide(withDefault, List.of(failed("bb", MemberStatus.ERROR, "oom", T0)), DEADLINE).orElseThrow();
        assertEquals(RequestStatus.OK, r.status());
        assertTrue(r.defaultAnswer());
        assertEquals(4, r.label());
        assertEquals(List.of("mlp"), r.variants());
        assertEquals(List.of(), r.votes());
        assertEquals("deadline passed; missing variants: a; default answer: the prediction cache's answer for the same inputs "
                + "(mlp, accuracy 0.8935)", r.reason());
        // a member's answer, even partial, is preferred to the default
        RequestResult partial = decider.decide(withDefault, List.of(ok("a", 2, 0.9f, T0)), DEADLINE).orElseThrow();
        assertEquals(RequestStatus.PARTIAL, partial.status());
        assertEquals(2, partial.label());
        assertTrue(!partial.defaultAnswer());
        // every member late: the default too
        RequestResult late = decider.decide(withDefault, List.of(failed("a", MemberStatus.DEADLINE_EXCEEDED, "late", T0),
                failed("bb", MemberStatus.DEADLINE_EXCEEDED, "late", T0)), T0 + 1).orElseThrow();
        assertTrue(late.defaultAnswer());
        assertTrue(late.reason().startsWith("no member met the deadline"), late.reason());
        // errors only, no deadline involved: no default
        RequestResult errors = decider.decide(withDefault, List.of(failed("a", MemberStatus.ERROR, "x", T0),
                failed("bb", MemberStatus.ERROR, "y", T0)), T0 + 1).orElseThrow();
        assertEquals(RequestStatus.INVALID, errors.status());
        // a configured default
        DefaultAnswer configured = new DefaultAnswer(0, 0f, List.of(), 0, "default");
        PlanView withConfigured = new PlanView(p.requestId(), p.action(), p.reason(), p.variants(), p.vote(), 0f, p.policy(),
                p.createdAtMs(), p.receivedAtMs(), p.plannedAtMs(), p.deadlineMs(), true, 0, 0, configured);
        RequestResult c = decider.decide(withConfigured, List.of(), DEADLINE).orElseThrow();
        assertTrue(c.defaultAnswer());
        assertEquals(0, c.label());
        assertTrue(c.reason().endsWith("default answer: the configured default label"), c.reason());
        // without a default, as always
        assertEquals(RequestStatus.DEADLINE_EXCEEDED, decider.decide(p, List.of(), DEADLINE).orElseThrow().status());
    }
}
