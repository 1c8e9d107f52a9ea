package dev.sluice.decision.vote;

import java.util.List;

/** A single-member plan: its one output is the answer, a class or output tensors alike. */
public final class PassThroughVoter implements Voter {
    @Override
    public VoteOutcome vote(List<MemberOutput> okOutputs) {
        if (okOutputs.size() != 1) {
            throw new IllegalArgumentException("pass-through needs exactly one output, got " + okOutputs.size());
        }
        MemberOutput o = okOutputs.get(0);
        return new VoteOutcome(o.label(), o.confidence(),
                List.of(new Ballot(o.member(), o.label(), o.confidence())), o.tensors());
    }
}
