package dev.sluice.decision.vote;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Vote {@link VoteMethod#MEAN}: the answer is the element-wise mean of the members' output tensors,
 * tensor by tensor (an ensemble of embedding or regression models that share one output space).
 * Every member must send the same tensors (names, datatypes and shapes, in one order), each FP32 or
 * FP64; {@link #problem} says what is wrong otherwise, and the aggregator answers INVALID with it.
 * A mean has no class: label -1, confidence 0; each member's ballot is recorded likewise.
 */
public final class TensorMeanVoter implements Voter {
    /** The datatypes a mean is defined for. */
    public static final List<String> AVERAGED = List.of("FP32", "FP64");

    @Override
    public VoteOutcome vote(List<MemberOutput> okOutputs) {
        String problem = problem(okOutputs);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        List<OutputTensor> first = okOutputs.get(0).tensors();
        List<OutputTensor> mean = new ArrayList<>(first.size());
        for (int t = 0; t < first.size(); t++) {
            mean.add(mean(okOutputs, t));
        }
        List<Ballot> ballots = okOutputs.stream().map(o -> new Ballot(o.member(), -1, 0f)).toList();
        return new VoteOutcome(-1, 0f, ballots, mean);
    }

    /**
     * Why {@code okOutputs} cannot be averaged (a member sent a class rather than tensors, or the
     * members' tensors differ, or a datatype has no mean), or null when they can.
     */
    public static String problem(List<MemberOutput> okOutputs) {
        if (okOutputs.isEmpty()) {
            return "nothing to average";
        }
        List<String> classes = okOutputs.stream().filter(o -> o.tensors().isEmpty()).map(MemberOutput::member).toList();
        if (!classes.isEmpty()) {
            return "vote MEAN averages output tensors; " + String.join(", ", classes)
                    + " answered with a class (class scores: use PROBABILITY_AVERAGE)";
        }
        MemberOutput ref = okOutputs.get(0);
        for (OutputTensor t : ref.tensors()) {
            if (!AVERAGED.contains(t.datatype())) {
                return "vote MEAN cannot average output " + t.describe() + " of " + ref.member() + ": a mean is defined for "
                        + String.join(" and ", AVERAGED) + " only";
            }
        }
        for (MemberOutput o : okOutputs.subList(1, okOutputs.size())) {
            if (!signature(o).equals(signature(ref))) {
                return "vote MEAN needs the same output tensors from every member: " + ref.member() + " sent "
                        + signature(ref) + ", " + o.member() + " sent " + signature(o);
            }
        }
        return null;
    }

    private static String signature(MemberOutput o) {
        return o.tensors().stream().map(OutputTensor::describe).collect(Collectors.joining(", ", "[", "]"));
    }

    private static OutputTensor mean(List<MemberOutput> outputs, int index) {
        OutputTensor ref = outputs.get(0).tensors().get(index);
        boolean fp64 = ref.datatype().equals("FP64");
        int n = Math.toIntExact(ref.elements());
        double[] sum = new double[n];
        for (MemberOutput o : outputs) {
            ByteBuffer b = o.tensors().get(index).buffer();
            for (int i = 0; i < n; i++) {
                sum[i] += fp64 ? b.getDouble(i * 8) : b.getFloat(i * 4);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(n * (fp64 ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            double m = sum[i] / outputs.size();
            if (fp64) {
                out.putDouble(m);
            } else {
                out.putFloat((float) m);
            }
        }
        return new OutputTensor(ref.name(), ref.datatype(), ref.shape(), out.array());
    }
}
