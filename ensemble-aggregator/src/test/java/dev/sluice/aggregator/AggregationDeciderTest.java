package dev.sluice.aggregator;

import static dev.sluice.aggregator.Fixtures.CREATED;
import static dev.sluice.aggregator.Fixtures.T0;
import static dev.sluice.aggregator.Fixtures.failed;
import static dev.sluice.aggregator.Fixtures.ok;
import static dev.sluice.aggregator.Fixtures.plan;
import static dev.sluice.aggregator.Fixtures.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.Vote;
import dev.sluice.avro.VoteMethod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AggregationDeciderTest {
    private static final long DEADLINE = T0 + 100;
    private final AggregationDecider decider = new AggregationDecider();
    private final Plan three = serve("r", VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");

    private InferenceResult answered(Plan plan, List<ModelOutput> outputs, long now) {
        Optional<InferenceResult> r = decider.decide(plan, outputs, now);
        assertTrue(r.isPresent(), "expected a result");
        return r.get();
    }

    @Test
    void waitsWithoutPlan() {
        assertEquals(Optional.empty(), decider.decide(null, List.of(ok("r", "a", 1, 0.9f, T0)), DEADLINE + 1000));
    }

    @Test
    void rejectedPlanAnswersRejectedWithItsReason() {
        Plan p = plan("r", PlanDecision.REJECT, "overloaded", VoteMethod.MAJORITY, DEADLINE);
        InferenceResult r = answered(p, List.of(), T0);
        assertEquals(ResultStatus.REJECTED, r.getStatus());
        assertEquals("overloaded", r.getReason());
        assertEquals(-1, r.getLabel());
        assertEquals(0, r.getRevision());
        assertTrue(r.getFinal$());
    }

    @Test
    void invalidPlanAnswersInvalidWithItsReason() {
        Plan p = plan("r", PlanDecision.INVALID, "bad tensor shape", VoteMethod.MAJORITY, DEADLINE);
        InferenceResult r = answered(p, List.of(), T0);
        assertEquals(ResultStatus.INVALID, r.getStatus());
        assertEquals("bad tensor shape", r.getReason());
    }

    @Test
    void waitsUntilEveryPlannedVariantReported() {
        // two disagreeing votes: the outstanding third could still decide (agreeing ones settle early)
        List<ModelOutput> two = List.of(ok("r", "a", 1, 0.9f, T0), ok("r", "bb", 2, 0.8f, T0));
        assertEquals(Optional.empty(), decider.decide(three, two, DEADLINE - 1));
    }

    private static ModelOutput moved(String id, String from, String to) {
        ModelOutput o = failed(id, from, OutputStatus.MOVED, "re-planned while queued", T0);
        o.setEscalatedTo(to);
        return o;
    }

    @Test
    void aMovedMemberIsReplacedByTheVariantItMovedTo() {
        Plan one = serve("r", VoteMethod.PASS_THROUGH, DEADLINE, "fusion-cnn");
        List<ModelOutput> notice = List.of(moved("r", "fusion-cnn", "cnn-small"));
        assertEquals(List.of("cnn-small"), AggregationDecider.serving(one, notice));
        assertEquals(Optional.empty(), decider.decide(one, notice, T0 + 5), "waits for the variant it moved to");

        InferenceResult r = answered(one, List.of(notice.get(0), ok("r", "cnn-small", 7, 0.8f, T0 + 9)), T0 + 10);
        assertEquals(ResultStatus.OK, r.getStatus());
        assertEquals(7, r.getLabel());
        assertEquals(List.of("cnn-small"), r.getVariants(), "the result names who served it");
        assertEquals("re-planned while queued: fusion-cnn to cnn-small", r.getReason());
    }

    @Test
    void aMovedMemberThatNeverAnswersLeavesTheDeadlineToDecide() {
        Plan one = serve("r", VoteMethod.PASS_THROUGH, DEADLINE, "fusion-cnn");
        InferenceResult r = answered(one, List.of(moved("r", "fusion-cnn", "cnn-small")), DEADLINE);
        assertEquals(ResultStatus.DEADLINE_EXCEEDED, r.getStatus());
        assertEquals("re-planned while queued: fusion-cnn to cnn-small; deadline passed; missing variants: cnn-small",
                r.getReason());
        // an output of the planned variant after its task moved is not a member any more
        assertEquals(Optional.empty(), decider.decide(one, List.of(moved("r", "fusion-cnn", "cnn-small"),
                ok("r", "fusion-cnn", 1, 0.9f, T0)), T0 + 1));
    }

    @Test
    void aMoveInAnEnsembleKeepsTheOtherMembers() {
        List<ModelOutput> outs = List.of(ok("r", "a", 1, 0.9f, T0), moved("r", "bb", "b2"), ok("r", "ccc", 2, 0.6f, T0),
                ok("r", "b2", 1, 0.7f, T0));
        InferenceResult r = answered(three, outs, T0 + 1);
        assertEquals(List.of("a", "b2", "ccc"), r.getVariants());
        assertEquals(1, r.getLabel());
        assertEquals(List.of(new Vote("a", 1, 0.9f), new Vote("b2", 1, 0.7f), new Vote("ccc", 2, 0.6f)), r.getVotes());
    }

    @Test
    void votesWhenAllReportedWithLatencyBreakdown() {
        List<ModelOutput> outs = List.of(
                ok("r", "a", 1, 0.9f, T0 + 10), ok("r", "ccc", 4, 0.7f, T0 + 30), ok("r", "bb", 1, 0.5f, T0 + 20));
        InferenceResult r = answered(three, outs, T0 + 35);
        assertEquals(ResultStatus.OK, r.getStatus());
        assertEquals(1, r.getLabel());
        assertEquals((float) ((0.9f + 0.5f) / 2.0), r.getConfidence());
        // votes in plan order
        assertEquals(List.of(new Vote("a", 1, 0.9f), new Vote("bb", 1, 0.5f), new Vote("ccc", 4, 0.7f)), r.getVotes());
        assertEquals(List.of("a", "bb", "ccc"), r.getVariants());
        assertEquals(new StageLatency(2.0, 3.0, 3.0, 30.0, 5.0, 45.0), r.getLatency());
        assertEquals(T0 + 35, r.getCompletedAtMs());
        assertEquals(CREATED, r.getCreatedAtMs());
        assertEquals(DEADLINE, r.getDeadlineMs());
        assertEquals("test-policy", r.getPolicy());
        assertEquals(null, r.getReason());
    }

    @Test
    void duplicateOutputsOfOneVariantCountOnce() {
        Plan two = serve("r", VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        List<ModelOutput> outs = List.of(ok("r", "a", 3, 0.9f, T0), ok("r", "a", 3, 0.9f, T0));
        assertEquals(Optional.empty(), decider.decide(two, outs, T0 + 1));
        InferenceResult r = answered(two, List.of(outs.get(0), outs.get(1), ok("r", "bb", 5, 0.95f, T0)), T0 + 1);
        assertEquals(5, r.getLabel()); // 1 vote each; 5 has the higher confidence
        assertEquals(2, r.getVotes().size());
    }

    @Test
    void outputsOfUnplannedVariantsAreIgnored() {
        Plan one = serve("r", VoteMethod.PASS_THROUGH, DEADLINE, "a");
        List<ModelOutput> outs = List.of(ok("r", "zz", 2, 0.99f, T0), ok("r", "a", 7, 0.6f, T0));
        InferenceResult r = answered(one, outs, T0 + 1);
        assertEquals(7, r.getLabel());
        assertEquals(List.of(new Vote("a", 7, 0.6f)), r.getVotes());
        assertEquals(Optional.empty(), decider.decide(one, List.of(outs.get(0)), T0 + 1));
    }

    @Test
    void allMembersLateIsDeadlineExceeded() {
        Plan two = serve("r", VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        InferenceResult r = answered(two, List.of(
                failed("r", "a", OutputStatus.DEADLINE_EXCEEDED, "dropped by batcher", T0),
                failed("r", "bb", OutputStatus.ERROR, "oom", T0)), T0 + 1);
        assertEquals(ResultStatus.DEADLINE_EXCEEDED, r.getStatus());
        assertEquals("no member met the deadline: a: DEADLINE_EXCEEDED (dropped by batcher); bb: ERROR (oom)",
                r.getReason());
        assertEquals(List.of(), r.getVotes());
    }

    @Test
    void allMembersFailedIsInvalidWithTheirReasons() {
        Plan two = serve("r", VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        InferenceResult r = answered(two, List.of(
                failed("r", "a", OutputStatus.ERROR, "bad input shape", T0),
                failed("r", "bb", OutputStatus.ERROR, null, T0)), T0 + 1);
        assertEquals(ResultStatus.INVALID, r.getStatus());
        assertEquals("every member failed: a: ERROR (bad input shape); bb: ERROR", r.getReason());
    }

    @Test
    void oneFailedMemberDoesNotSpoilTheVote() {
        Plan two = serve("r", VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        InferenceResult r = answered(two, List.of(
                failed("r", "a", OutputStatus.ERROR, "x", T0), ok("r", "bb", 8, 0.7f, T0)), T0 + 1);
        assertEquals(ResultStatus.OK, r.getStatus());
        assertEquals(8, r.getLabel());
    }

    @Test
    void partialAtDeadlineVotesOverWhatArrived() {
        List<ModelOutput> two = List.of(ok("r", "a", 1, 0.9f, T0), ok("r", "ccc", 2, 0.7f, T0));
        InferenceResult r = answered(three, two, DEADLINE);
        assertEquals(ResultStatus.PARTIAL, r.getStatus());
        assertEquals(1, r.getLabel());
        assertEquals(2, r.getVotes().size());
        assertEquals("deadline passed; missing variants: bb", r.getReason());
    }

    @Test
    void nothingAtDeadlineIsDeadlineExceededNamingTheMissing() {
        List<ModelOutput> failedOnly = List.of(failed("r", "bb", OutputStatus.ERROR, "x", T0));
        InferenceResult r = answered(three, failedOnly, DEADLINE + 5);
        assertEquals(ResultStatus.DEADLINE_EXCEEDED, r.getStatus());
        assertEquals("deadline passed; missing variants: a, ccc", r.getReason());
        // with no OK member the aggregate stage runs from the last member output
        assertEquals(5.0 + 100, r.getLatency().getAggregateMs());
        InferenceResult none = answered(three, List.of(), DEADLINE);
        assertEquals(DEADLINE - Fixtures.PLANNED, none.getLatency().getAggregateMs());
        assertEquals(0.0, none.getLatency().getQueueMs());
    }

    @Test
    void graceDelaysTheDeadlineAnswer() {
        AggregationDecider withGrace = new AggregationDecider(Duration.ofMillis(20));
        List<ModelOutput> one = List.of(ok("r", "a", 1, 0.9f, T0));
        assertEquals(DEADLINE + 20, withGrace.dueAtMs(three));
        assertEquals(Optional.empty(), withGrace.decide(three, one, DEADLINE + 19));
        assertEquals(ResultStatus.PARTIAL, withGrace.decide(three, one, DEADLINE + 20).orElseThrow().getStatus());
    }

    @Test
    void unservablePlansAreInvalid() {
        assertEquals("plan serves no variants",
                answered(serve("r", VoteMethod.MAJORITY, DEADLINE), List.of(), T0).getReason());
        InferenceResult r = answered(serve("r", VoteMethod.PASS_THROUGH, DEADLINE, "a", "bb"), List.of(), T0);
        assertEquals(ResultStatus.INVALID, r.getStatus());
        assertEquals("pass-through plan names 2 variants", r.getReason());
    }
}
