package dev.sluice.decision.aggregate;

import static dev.sluice.decision.aggregate.PlanFixtures.serve;
import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.failed;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import dev.sluice.decision.vote.OutputTensor;
import dev.sluice.decision.vote.VoteMethod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Members that answer with output tensors (an embedding model), and a deadline default's fallback run. */
class TensorOutputsTest {
    private static final long DEADLINE = T0 + 100;
    private final AggregationDecider decider = new AggregationDecider();

    private static MemberOutput embedding(String member, float... values) {
        return new MemberOutput(member, MemberStatus.OK, -1, 0f, List.of(), null, null, 1, 2, T0,
                List.of(OutputTensor.fp32("embedding", List.of(1L, (long) values.length), values)));
    }

    @Test
    void aSingleMemberPlanPassesItsTensorsThrough() {
        MemberOutput e = embedding("embed-cnn", 0.6f, 0.8f);
        RequestResult r = decider.decide(serve(VoteMethod.PASS_THROUGH, DEADLINE, "embed-cnn"), List.of(e), T0).orElseThrow();
        assertEquals(RequestStatus.OK, r.status());
        assertEquals(-1, r.label());
        assertEquals(e.tensors(), r.outputs());
        assertEquals(List.of(), r.probabilities());
    }

    @Test
    void aMeanPlanAveragesTheMembersTensorsOnceAllReported() {
        PlanView p = serve(VoteMethod.MEAN, DEADLINE, "embed-mlp", "embed-cnn");
        assertEquals(Optional.empty(), decider.decide(p, List.of(embedding("embed-mlp", 1, 0)), T0), "waits for the other");
        RequestResult r = decider.decide(p, List.of(embedding("embed-mlp", 1, 0), embedding("embed-cnn", 0, 1)), T0)
                .orElseThrow();
        assertEquals(RequestStatus.OK, r.status());
        assertEquals(List.of(OutputTensor.fp32("embedding", List.of(1L, 2L), new float[] {0.5f, 0.5f})), r.outputs());
        assertEquals(2, r.votes().size());
        // at the deadline with one in: the mean of what arrived
        RequestResult partial = decider.decide(p, List.of(embedding("embed-cnn", 0, 1)), DEADLINE).orElseThrow();
        assertEquals(RequestStatus.PARTIAL, partial.status());
        assertEquals(embedding("embed-cnn", 0, 1).tensors(), partial.outputs());
    }

    @Test
    void aVoteOverClassesIsRefusedAtTheFirstTensorAnswerNotAtTheDeadline() {
        for (VoteMethod vote : List.of(VoteMethod.MAJORITY, VoteMethod.WEIGHTED_MAJORITY, VoteMethod.PROBABILITY_AVERAGE,
                VoteMethod.CASCADE)) {
            PlanView p = serve(vote, DEADLINE, "embed-mlp", "embed-cnn");
            RequestResult r = decider.decide(p, List.of(embedding("embed-mlp", 1, 0)), T0).orElseThrow();
            assertEquals(RequestStatus.INVALID, r.status(), vote.name());
            assertEquals("vote " + vote + " counts classes, but embed-mlp answered with output tensors (embedding FP32 [1, 2]), "
                    + "not a class: a plan over such models serves one member or averages them with vote MEAN "
                    + "(policy fixed:<a>+<b>:mean)", r.reason());
            assertEquals(List.of(), r.outputs());
        }
    }

    @Test
    void aMeanOverClassifiersOrMismatchedTensorsIsRefusedWithTheReason() {
        RequestResult classes = decider.decide(serve(VoteMethod.MEAN, DEADLINE, "mlp", "vgg"), List.of(ok("mlp", 3, 0.9f, T0)), T0)
                .orElseThrow();
        assertEquals(RequestStatus.INVALID, classes.status());
        assertTrue(classes.reason().contains("mlp answered with a class"), classes.reason());
        RequestResult mismatch = decider.decide(serve(VoteMethod.MEAN, DEADLINE, "a", "b"),
                List.of(embedding("a", 1, 0), embedding("b", 1, 0, 0)), T0).orElseThrow();
        assertEquals(RequestStatus.INVALID, mismatch.status());
        assertTrue(mismatch.reason().contains("same output tensors"), mismatch.reason());
    }

    @Test
    void classifiersVoteAsBefore() {
        RequestResult r = decider.decide(serve(VoteMethod.MAJORITY, DEADLINE, "a", "b"),
                List.of(ok("a", 2, 0.8f, T0), ok("b", 2, 0.6f, T0)), T0).orElseThrow();
        assertEquals(2, r.label());
        assertEquals(List.of(), r.outputs());
    }

    private static PlanView withFallback(PlanView p, DefaultAnswer d, FallbackRun f) {
        return new PlanView(p.requestId(), p.action(), p.reason(), p.variants(), p.vote(), 0f, p.policy(), p.createdAtMs(),
                p.receivedAtMs(), p.plannedAtMs(), p.deadlineMs(), true, 0, 0, d, f, List.of());
    }

    @Test
    void theFallbackRunAnswersFlaggedWhenNoMemberDidByTheDeadline() {
        PlanView p = withFallback(serve(VoteMethod.PASS_THROUGH, DEADLINE, "vgg-tta"), null, new FallbackRun("linear", 0.8454));
        MemberOutput linear = ok("linear", 7, 0.6f, T0 + 5);
        assertEquals(Optional.empty(), decider.decide(p, List.of(linear), T0 + 5), "the member may still answer");
        RequestResult r = decider.decide(p, List.of(linear), DEADLINE).orElseThrow();
        assertEquals(RequestStatus.OK, r.status());
        assertTrue(r.defaultAnswer());
        assertEquals(7, r.label());
        assertEquals(List.of("linear"), r.variants());
        assertEquals(List.of(), r.votes());
        assertEquals("deadline passed; missing variants: vgg-tta; default answer: the fast fallback run of linear "
                + "(accuracy 0.8454)", r.reason());
        // the member in time: its answer, the fallback's ignored
        RequestResult member = decider.decide(p, List.of(linear, ok("vgg-tta", 3, 0.99f, T0 + 9)), T0 + 9).orElseThrow();
        assertEquals(3, member.label());
        assertFalse(member.defaultAnswer());
        // no fallback output either: DEADLINE_EXCEEDED as without one
        assertEquals(RequestStatus.DEADLINE_EXCEEDED, decider.decide(p, List.of(), DEADLINE).orElseThrow().status());
    }

    @Test
    void aLateMemberWaitsForTheFallbackUntilTheDeadlineAndTheMoreAccurateDefaultWins() {
        AggregationDecider graceful = new AggregationDecider(Duration.ofMillis(50));
        PlanView p = withFallback(serve(VoteMethod.PASS_THROUGH, DEADLINE, "vgg-tta"), null, new FallbackRun("linear", 0.8454));
        MemberOutput late = failed("vgg-tta", MemberStatus.DEADLINE_EXCEEDED, "dropped", T0 + 1);
        assertEquals(Optional.empty(), graceful.decide(p, List.of(late), T0 + 1), "the fallback run has not reported");
        assertTrue(graceful.decide(p, List.of(late, ok("linear", 1, 0.5f, T0 + 2)), T0 + 2).orElseThrow().defaultAnswer());
        assertEquals(RequestStatus.DEADLINE_EXCEEDED, graceful.decide(p, List.of(late), DEADLINE + 50).orElseThrow().status());
        // the cache holds a more accurate answer for these inputs: it wins over the cheap run
        DefaultAnswer cached = new DefaultAnswer(4, 0.9f, List.of("vgg"), 0.934, "cache");
        PlanView both = withFallback(p, cached, new FallbackRun("linear", 0.8454));
        RequestResult r = graceful.decide(both, List.of(late, ok("linear", 1, 0.5f, T0 + 2)), T0 + 2).orElseThrow();
        assertEquals(4, r.label());
        assertTrue(r.defaultAnswer());
        // a configured default (accuracy 0) loses to the run
        PlanView configured = withFallback(p, new DefaultAnswer(0, 0f, List.of(), 0, "default"), new FallbackRun("linear", 0.8454));
        assertEquals(1, graceful.decide(configured, List.of(ok("linear", 1, 0.5f, T0 + 2)), DEADLINE + 50).orElseThrow().label());
    }

    @Test
    void aFallbackOfAnEmbeddingTaskAnswersWithItsTensors() {
        PlanView p = withFallback(serve(VoteMethod.PASS_THROUGH, DEADLINE, "embed-cnn"), null, new FallbackRun("embed-mlp", 0.85));
        RequestResult r = decider.decide(p, List.of(embedding("embed-mlp", 1, 0)), DEADLINE).orElseThrow();
        assertTrue(r.defaultAnswer());
        assertEquals(embedding("embed-mlp", 1, 0).tensors(), r.outputs());
    }
}
