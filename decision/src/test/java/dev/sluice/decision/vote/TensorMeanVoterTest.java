package dev.sluice.decision.vote;

import static dev.sluice.decision.vote.MemberFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorMeanVoterTest {
    private final TensorMeanVoter voter = new TensorMeanVoter();

    static MemberOutput tensors(String member, OutputTensor... tensors) {
        return new MemberOutput(member, MemberStatus.OK, -1, 0f, List.of(), null, null, 1, 2, T0, List.of(tensors));
    }

    static float[] floats(OutputTensor t) {
        ByteBuffer b = t.buffer();
        float[] out = new float[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat(i * 4);
        }
        return out;
    }

    @Test
    void averagesEveryTensorElementWiseAndKeepsNamesShapesAndDatatypes() {
        MemberOutput a = tensors("a", OutputTensor.fp32("embedding", List.of(1L, 3L), new float[] {1, 2, 3}),
                OutputTensor.fp32("score", List.of(1L), new float[] {0.5f}));
        MemberOutput b = tensors("b", OutputTensor.fp32("embedding", List.of(1L, 3L), new float[] {3, 2, -1}),
                OutputTensor.fp32("score", List.of(1L), new float[] {1.5f}));
        VoteOutcome v = voter.vote(List.of(a, b));
        assertEquals(-1, v.label(), "a mean has no class");
        assertEquals(List.of(new Ballot("a", -1, 0f), new Ballot("b", -1, 0f)), v.votes());
        assertEquals(2, v.tensors().size());
        assertEquals("embedding", v.tensors().get(0).name());
        assertEquals(List.of(1L, 3L), v.tensors().get(0).shape());
        assertEquals("FP32", v.tensors().get(0).datatype());
        assertArrayEquals(new float[] {2, 2, 1}, floats(v.tensors().get(0)));
        assertArrayEquals(new float[] {1f}, floats(v.tensors().get(1)));
    }

    @Test
    void averagesFp64() {
        ByteBuffer x = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.0).putDouble(4.0);
        ByteBuffer y = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(2.0).putDouble(-4.0);
        VoteOutcome v = voter.vote(List.of(tensors("a", new OutputTensor("y", "FP64", List.of(1L, 2L), x.array())),
                tensors("b", new OutputTensor("y", "FP64", List.of(1L, 2L), y.array()))));
        ByteBuffer m = v.tensors().get(0).buffer();
        assertEquals(1.5, m.getDouble(0));
        assertEquals(0.0, m.getDouble(8));
    }

    @Test
    void oneMemberIsItsOwnMean() {
        OutputTensor e = OutputTensor.fp32("embedding", List.of(1L, 2L), new float[] {0.25f, -0.75f});
        assertEquals(List.of(e), voter.vote(List.of(tensors("a", e))).tensors());
    }

    @Test
    void saysWhyOutputsCannotBeAveraged() {
        MemberOutput emb = tensors("a", OutputTensor.fp32("embedding", List.of(1L, 3L), new float[] {1, 2, 3}));
        MemberOutput shorter = tensors("b", OutputTensor.fp32("embedding", List.of(1L, 2L), new float[] {1, 2}));
        MemberOutput ints = tensors("c", new OutputTensor("boxes", "INT64", List.of(1L, 1L), new byte[8]));
        MemberOutput classifier = MemberFixtures.ok("mlp", 3, 0.9f, T0);
        assertNull(TensorMeanVoter.problem(List.of(emb, emb)));
        assertEquals("vote MEAN needs the same output tensors from every member: a sent [embedding FP32 [1, 3]], b sent "
                + "[embedding FP32 [1, 2]]", TensorMeanVoter.problem(List.of(emb, shorter)));
        assertEquals("vote MEAN cannot average output boxes INT64 [1, 1] of c: a mean is defined for FP32 and FP64 only",
                TensorMeanVoter.problem(List.of(ints)));
        assertEquals("vote MEAN averages output tensors; mlp answered with a class (class scores: use PROBABILITY_AVERAGE)",
                TensorMeanVoter.problem(List.of(emb, classifier)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> voter.vote(List.of(emb, shorter)));
        assertTrue(e.getMessage().contains("same output tensors"));
    }

    @Test
    void passThroughCarriesTheMembersTensors() {
        OutputTensor e = OutputTensor.fp32("embedding", List.of(1L, 2L), new float[] {1, 0});
        VoteOutcome v = new PassThroughVoter().vote(List.of(tensors("a", e)));
        assertEquals(-1, v.label());
        assertEquals(List.of(e), v.tensors());
        assertTrue(VoteMethod.MEAN.takesTensors() && VoteMethod.PASS_THROUGH.takesTensors() && !VoteMethod.MAJORITY.takesTensors());
        assertTrue(Voters.unweighted().of(VoteMethod.MEAN) instanceof TensorMeanVoter);
    }
}
