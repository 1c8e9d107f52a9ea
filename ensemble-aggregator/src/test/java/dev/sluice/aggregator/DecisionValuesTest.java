package dev.sluice.aggregator;

import static dev.sluice.aggregator.Fixtures.CREATED;
import static dev.sluice.aggregator.Fixtures.PLANNED;
import static dev.sluice.aggregator.Fixtures.RECEIVED;
import static dev.sluice.aggregator.Fixtures.T0;
import static dev.sluice.aggregator.Fixtures.probs;
import static dev.sluice.aggregator.Fixtures.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import dev.sluice.decision.aggregate.PlanAction;
import dev.sluice.decision.aggregate.PlanView;
import dev.sluice.decision.aggregate.RequestStatus;
import dev.sluice.decision.vote.Ballot;
import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Avro records and the decision values carry the same fields, and their enums the same symbols. */
class DecisionValuesTest {
    private static List<String> symbols(Class<? extends Enum<?>> e) {
        return Arrays.stream(e.getEnumConstants()).map(Enum::name).toList();
    }

    @Test
    void decisionAndAvroEnumsHaveTheSameSymbols() {
        assertEquals(symbols(OutputStatus.class), symbols(MemberStatus.class));
        assertEquals(symbols(ResultStatus.class), symbols(RequestStatus.class));
        assertEquals(symbols(PlanDecision.class), symbols(PlanAction.class));
    }

    @Test
    void aPlanKeepsEveryFieldAggregationReads() {
        Plan p = Plan.newBuilder(serve("r", VoteMethod.CASCADE, T0 + 100, "a", "bb")).setEarlyConfidence(0.9f)
                .setFinalOnly(false).setPartsMissing(1).setPartCount(3).setReason("why").build();
        PlanView v = DecisionValues.plan(p);
        assertEquals(new PlanView("r", PlanAction.SERVE, "why", List.of("a", "bb"),
                dev.sluice.decision.vote.VoteMethod.CASCADE, 0.9f, "test-policy", CREATED, RECEIVED, PLANNED, T0 + 100,
                false, 1, 3), v);
    }

    @Test
    void anOutputKeepsEveryFieldVotingReads() {
        ModelOutput o = ModelOutput.newBuilder(probs("r", "bb", T0, 0.2f, 0.8f)).setEscalatedTo("ccc")
                .setReason("unsure").build();
        assertEquals(new MemberOutput("bb", MemberStatus.OK, 1, 0.8f, List.of(0.2f, 0.8f), "unsure", "ccc", 2.0, 20.0, T0),
                DecisionValues.output(o));
    }

    @Test
    void outputTensorsRequestedOutputsAndTheFallbackRunCrossOver() {
        java.nio.ByteBuffer data = java.nio.ByteBuffer.wrap(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0});
        dev.sluice.avro.Tensor t = new dev.sluice.avro.Tensor("embedding", "FP32", List.of(1L, 2L), data, java.util.Map.of());
        ModelOutput o = ModelOutput.newBuilder(probs("r", "embed", T0, 0.5f, 0.5f)).setLabel(-1).setProbabilities(List.of())
                .setOutputs(List.of(t)).build();
        MemberOutput m = DecisionValues.output(o);
        assertEquals(List.of(dev.sluice.decision.vote.OutputTensor.fp32("embedding", List.of(1L, 2L), new float[] {1f, 0f})),
                m.tensors());
        assertTrue(m.isTensorAnswer());
        Plan p = Plan.newBuilder(serve("r", VoteMethod.MEAN, T0 + 100, "a", "bb")).setOutputs(List.of("embedding"))
                .setFallbackRun(new dev.sluice.avro.FallbackRun("linear", 0.84)).build();
        PlanView v = DecisionValues.plan(p);
        assertEquals(dev.sluice.decision.vote.VoteMethod.MEAN, v.vote());
        assertEquals(new dev.sluice.decision.aggregate.FallbackRun("linear", 0.84), v.fallback());
        assertEquals(List.of("embedding"), v.outputs());
        InferenceResult r = InferenceResult.newBuilder().setRequestId("r").setStatus(ResultStatus.OK).setLabel(-1)
                .setVariants(List.of("a")).setLatency(new StageLatency(1.0, 2.0, 3.0, 4.0, 5.0, 15.0)).setCreatedAtMs(CREATED)
                .setDeadlineMs(T0 + 100).setCompletedAtMs(T0 + 101).setOutputs(List.of(t)).build();
        assertEquals(r, DecisionValues.result(DecisionValues.result(r)));
        assertEquals(List.of("embedding"), DecisionValues.result(DecisionValues.result(r), p).getRequestedOutputs());
    }

    @Test
    void aResultSurvivesTheRoundTrip() {
        InferenceResult r = InferenceResult.newBuilder().setRequestId("r").setStatus(ResultStatus.PARTIAL).setRevision(2)
                .setFinal$(false).setLabel(4).setConfidence(0.7f).setVariants(List.of("a", "bb"))
                .setVotes(List.of(new Vote("a", 4, 0.7f))).setLatency(new StageLatency(1.0, 2.0, 3.0, 4.0, 5.0, 15.0))
                .setReason("deadline passed").setPolicy("p").setCreatedAtMs(CREATED).setDeadlineMs(T0 + 100)
                .setCompletedAtMs(T0 + 101).build();
        assertEquals(r, DecisionValues.result(DecisionValues.result(r)));
        assertNull(DecisionValues.result((InferenceResult) null));
        assertEquals(List.of(new Ballot("a", 4, 0.7f)), DecisionValues.ballots(r.getVotes()));
    }
}
