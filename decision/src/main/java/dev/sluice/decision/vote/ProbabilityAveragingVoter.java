package dev.sluice.decision.vote;

import java.util.List;

/**
 * Soft voting: the mean of the members' probability vectors; the label is its argmax (the lower
 * label on a tie) and the confidence its maximum. A member without probabilities counts as a
 * one-hot vector of its label. Vectors of different lengths are padded with zeros.
 *
 * <p>Every member adds at most 1 to any class and at least 0, so the answer is certain once the
 * leading class's summed probability exceeds the runner-up's by more than the number of members
 * outstanding (in means over all planned members: leader minus runner-up greater than
 * outstanding / total).
 */
public final class ProbabilityAveragingVoter implements Voter {
    @Override
    public VoteOutcome vote(List<MemberOutput> okOutputs) {
        if (okOutputs.isEmpty()) {
            throw new IllegalArgumentException("probability averaging needs at least one output");
        }
        double[] sums = sums(okOutputs);
        int label = argmax(sums);
        return new VoteOutcome(label, (float) (sums[label] / okOutputs.size()), MajorityVoter.votesOf(okOutputs));
    }

    @Override
    public boolean cannotBeOverturned(List<MemberOutput> okOutputs, List<String> outstanding) {
        if (outstanding.isEmpty()) {
            return true;
        }
        double[] sums = sums(okOutputs);
        int label = argmax(sums);
        double runnerUp = 0; // a class nobody voted for yet scores 0
        for (int c = 0; c < sums.length; c++) {
            if (c != label) {
                runnerUp = Math.max(runnerUp, sums[c]);
            }
        }
        return sums[label] - runnerUp > outstanding.size();
    }

    /** Per-class sums of the members' probability vectors. */
    static double[] sums(List<MemberOutput> okOutputs) {
        int classes = 1;
        for (MemberOutput o : okOutputs) {
            classes = Math.max(classes, o.probabilities().isEmpty() ? o.label() + 1 : o.probabilities().size());
        }
        double[] sums = new double[classes];
        for (MemberOutput o : okOutputs) {
            List<Float> p = o.probabilities();
            if (p.isEmpty()) {
                if (o.label() >= 0) {
                    sums[o.label()] += 1; // one-hot of the label
                }
            } else {
                for (int c = 0; c < p.size(); c++) {
                    sums[c] += p.get(c);
                }
            }
        }
        return sums;
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }
}
