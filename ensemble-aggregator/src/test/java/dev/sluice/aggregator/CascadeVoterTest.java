package dev.sluice.aggregator;

import static dev.sluice.aggregator.Fixtures.T0;
import static dev.sluice.aggregator.Fixtures.failed;
import static dev.sluice.aggregator.Fixtures.ok;
import static dev.sluice.aggregator.Fixtures.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Plan;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.VoteMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cascades in the decider: the last stage that answered wins; escalations are waited for until the deadline. */
class CascadeVoterTest {
    private final AggregationDecider decider = new AggregationDecider();
    private final Plan plan = serve("r1", VoteMethod.CASCADE, T0 + 100, "cnn-small", "vgg-tta");

    private static ModelOutput escalated(ModelOutput o, String to) {
        return ModelOutput.newBuilder(o).setEscalatedTo(to).build();
    }

    @Test
    void aSureFirstStageAnswersAloneAndTheSkippedStageIsCountedAsSaved() {
        Answer a = decider.answer(plan, List.of(ok("r1", "cnn-small", 3, 0.97f, T0)), T0).orElseThrow();
        assertEquals(ResultStatus.OK, a.result().getStatus());
        assertEquals(3, a.result().getLabel());
        assertEquals(List.of("vgg-tta"), a.skippedMembers());
        assertEquals("cascade answered by cnn-small; not run: vgg-tta", a.result().getReason());
    }

    @Test
    void anEscalatedRequestWaitsForTheNextStageWhichAnswers() {
        ModelOutput first = escalated(ok("r1", "cnn-small", 3, 0.55f, T0), "vgg-tta");
        assertTrue(decider.answer(plan, List.of(first), T0).isEmpty());
        InferenceResult r = decider.decide(plan, List.of(first, ok("r1", "vgg-tta", 6, 0.7f, T0 + 5)), T0 + 5).orElseThrow();
        assertEquals(ResultStatus.OK, r.getStatus());
        assertEquals(6, r.getLabel());
        assertEquals(0.7f, r.getConfidence());
        assertEquals(2, r.getVotes().size());
    }

    @Test
    void theNextStageArrivingFirstStillWaitsForNothingElse() {
        // outputs may arrive in any order: the second stage's answer settles the cascade either way
        ModelOutput first = escalated(ok("r1", "cnn-small", 3, 0.55f, T0), "vgg-tta");
        InferenceResult r = decider.decide(plan, List.of(ok("r1", "vgg-tta", 6, 0.7f, T0), first), T0).orElseThrow();
        assertEquals(6, r.getLabel());
    }

    @Test
    void aFailedNextStageLeavesTheFirstAnswerStanding() {
        ModelOutput first = escalated(ok("r1", "cnn-small", 3, 0.55f, T0), "vgg-tta");
        InferenceResult r = decider.decide(plan, List.of(first,
                failed("r1", "vgg-tta", OutputStatus.DEADLINE_EXCEEDED, "too late", T0 + 5)), T0 + 5).orElseThrow();
        assertEquals(ResultStatus.OK, r.getStatus());
        assertEquals(3, r.getLabel());
    }

    @Test
    void atTheDeadlineAnUnansweredEscalationEndsPartialWithTheFirstAnswer() {
        ModelOutput first = escalated(ok("r1", "cnn-small", 3, 0.55f, T0), "vgg-tta");
        assertTrue(decider.answer(plan, List.of(first), T0 + 99).isEmpty());
        InferenceResult r = decider.decide(plan, List.of(first), T0 + 100).orElseThrow();
        assertEquals(ResultStatus.PARTIAL, r.getStatus());
        assertEquals(3, r.getLabel());
    }

    @Test
    void aThreeStageCascadeFollowsTheChain() {
        Plan three = serve("r2", VoteMethod.CASCADE, T0 + 100, "mlp", "vgg", "vgg-tta");
        ModelOutput a = escalated(ok("r2", "mlp", 1, 0.4f, T0), "vgg");
        ModelOutput b = escalated(ok("r2", "vgg", 2, 0.6f, T0 + 1), "vgg-tta");
        assertTrue(decider.answer(three, List.of(a, b), T0 + 1).isEmpty());
        ModelOutput bSure = ok("r2", "vgg", 2, 0.95f, T0 + 1);
        Answer done = decider.answer(three, List.of(a, bSure), T0 + 1).orElseThrow();
        assertEquals(2, done.result().getLabel());
        assertEquals(List.of("vgg-tta"), done.skippedMembers());
    }
}
