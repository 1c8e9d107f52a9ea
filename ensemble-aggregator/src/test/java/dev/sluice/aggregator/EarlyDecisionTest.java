package dev.sluice.aggregator;

import static dev.sluice.aggregator.Fixtures.T0;
import static dev.sluice.aggregator.Fixtures.failed;
import static dev.sluice.aggregator.Fixtures.ok;
import static dev.sluice.aggregator.Fixtures.probs;
import static dev.sluice.aggregator.Fixtures.serve;
import static dev.sluice.aggregator.Fixtures.withEarlyConfidence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Plan;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.Vote;
import dev.sluice.avro.VoteMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When an answer may go out before every member reported: the voters' arithmetic and the decider. */
class EarlyDecisionTest {
    private static final long DEADLINE = T0 + 100;
    private final MajorityVoter majority = new MajorityVoter();
    private final AggregationDecider decider = new AggregationDecider();

    private static List<ModelOutput> labels(int... labels) {
        List<ModelOutput> out = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            out.add(ok("r", "m" + i, labels[i], 0.6f, T0));
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
        List<ModelOutput> sure = List.of(ok("r", "a", 3, 0.97f, T0));
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
        Plan three = serve("r", VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");
        Answer a = decider.answer(three, List.of(ok("r", "a", 4, 0.9f, T0), ok("r", "ccc", 4, 0.7f, T0)), T0 + 1)
                .orElseThrow();
        assertTrue(a.isEarly());
        assertEquals(List.of("bb"), a.skippedMembers());
        assertEquals(ResultStatus.OK, a.result().getStatus());
        assertEquals(4, a.result().getLabel());
        assertEquals(List.of(new Vote("a", 4, 0.9f), new Vote("ccc", 4, 0.7f)), a.result().getVotes());
        assertEquals(List.of("a", "bb", "ccc"), a.result().getVariants());
        assertEquals("decided early; 1 of 3 members outstanding", a.result().getReason());
    }

    @Test
    void aFailedMemberIsNotOutstanding() {
        Plan three = serve("r", VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");
        List<ModelOutput> outs = List.of(failed("r", "bb", OutputStatus.ERROR, "oom", T0), ok("r", "a", 4, 0.9f, T0));
        assertEquals(Optional.empty(), decider.answer(three, outs, T0 + 1)); // 1 !> 0 + 1 (ccc)
        Answer a = decider.answer(three, List.of(outs.get(0), outs.get(1), ok("r", "ccc", 4, 0.8f, T0)), T0 + 1)
                .orElseThrow();
        assertFalse(a.isEarly());
        assertEquals(null, a.result().getReason());
    }

    @Test
    void thePlansEarlyConfidenceAnswersOnTheFirstSureMember() {
        Plan cascade = withEarlyConfidence(serve("r", VoteMethod.MAJORITY, DEADLINE, "cnn", "vgg"), 0.9f);
        Answer a = decider.answer(cascade, List.of(ok("r", "cnn", 7, 0.93f, T0)), T0 + 1).orElseThrow();
        assertEquals(List.of("vgg"), a.skippedMembers());
        assertEquals(7, a.result().getLabel());
        assertEquals(Optional.empty(), decider.answer(cascade, List.of(ok("r", "cnn", 7, 0.85f, T0)), T0 + 1));
    }

    @Test
    void probabilityAveragingAnswersEarlyOnlyWhenTheArgmaxIsSafe() {
        Plan three = serve("r", VoteMethod.PROBABILITY_AVERAGE, DEADLINE, "a", "bb", "ccc");
        List<ModelOutput> sure = List.of(probs("r", "a", T0, 0.95f, 0.05f), probs("r", "bb", T0, 0.9f, 0.1f));
        assertEquals(List.of("ccc"), decider.answer(three, sure, T0 + 1).orElseThrow().skippedMembers());
        List<ModelOutput> unsure = List.of(probs("r", "a", T0, 0.7f, 0.3f), probs("r", "bb", T0, 0.7f, 0.3f));
        assertEquals(Optional.empty(), decider.answer(three, unsure, T0 + 1));
    }

    @Test
    void anAnswerAtTheDeadlineIsNotEarly() {
        Plan three = serve("r", VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");
        Answer a = decider.answer(three, List.of(ok("r", "a", 1, 0.9f, T0), ok("r", "bb", 2, 0.8f, T0)), DEADLINE)
                .orElseThrow();
        assertEquals(ResultStatus.PARTIAL, a.result().getStatus());
        assertFalse(a.isEarly());
    }

    @Test
    void aSelfConsistencyPlanMustNameViewsOfOneVariant() {
        Plan mixed = serve("r", VoteMethod.SELF_CONSISTENCY, DEADLINE, "vgg#view0", "cnn#view0");
        Answer a = decider.answer(mixed, List.of(), T0).orElseThrow();
        assertEquals(ResultStatus.INVALID, a.result().getStatus());
        assertEquals("self-consistency plan mixes variants vgg, cnn", a.result().getReason());
    }
}
