package dev.sluice.decision.vote;

import java.util.List;

/**
 * Weighted majority (Cocktail): each member's vote counts its variant's current weight; ties go
 * to the higher summed confidence, then the lower label. The answer is certain once the
 * leader's weight exceeds the runner-up's plus the weight of every member still outstanding.
 * The confidence is the mean confidence of the members that voted for the winner.
 */
public final class WeightedMajorityVoter implements Voter {
    private final VariantWeights weights;

    public WeightedMajorityVoter(VariantWeights weights) {
        this.weights = weights;
    }

    @Override
    public VoteOutcome vote(List<MemberOutput> okOutputs) {
        if (okOutputs.isEmpty()) {
            throw new IllegalArgumentException("weighted majority vote needs at least one output");
        }
        LabelTally.Entry winner = tally(okOutputs).winner();
        return new VoteOutcome(winner.label(), (float) winner.meanConfidence(), MajorityVoter.votesOf(okOutputs));
    }

    @Override
    public boolean cannotBeOverturned(List<MemberOutput> okOutputs, List<String> outstanding) {
        double outstandingWeight = outstanding.stream().mapToDouble(weights::weight).sum();
        return outstanding.isEmpty() || tally(okOutputs).leadExceeds(outstandingWeight);
    }

    private LabelTally tally(List<MemberOutput> okOutputs) {
        LabelTally t = new LabelTally();
        okOutputs.forEach(o -> t.add(o.label(), weights.weight(o.member()), o.confidence()));
        return t;
    }
}
