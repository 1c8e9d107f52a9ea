package dev.sluice.decision.vote;

import java.util.ArrayList;
import java.util.List;

/**
 * Plurality vote: the label with the most votes wins; a tie goes to the label with the higher
 * summed confidence, then to the lower label (so the result never depends on arrival order).
 * The answer is certain once the leader has more votes than the runner-up plus the members
 * still outstanding.
 */
public final class MajorityVoter implements Voter {
    @Override
    public VoteOutcome vote(List<MemberOutput> okOutputs) {
        if (okOutputs.isEmpty()) {
            throw new IllegalArgumentException("majority vote needs at least one output");
        }
        LabelTally.Entry winner = tally(okOutputs).winner();
        return new VoteOutcome(winner.label(), (float) winner.meanConfidence(), votesOf(okOutputs));
    }

    @Override
    public boolean cannotBeOverturned(List<MemberOutput> okOutputs, List<String> outstanding) {
        return outstanding.isEmpty() || tally(okOutputs).leadExceeds(outstanding.size());
    }

    static LabelTally tally(List<MemberOutput> okOutputs) {
        LabelTally t = new LabelTally();
        okOutputs.forEach(o -> t.add(o.label(), 1, o.confidence()));
        return t;
    }

    /** One vote per output, in the order given. */
    static List<Ballot> votesOf(List<MemberOutput> okOutputs) {
        List<Ballot> votes = new ArrayList<>(okOutputs.size());
        okOutputs.forEach(o -> votes.add(new Ballot(o.member(), o.label(), o.confidence())));
        return votes;
    }
}
