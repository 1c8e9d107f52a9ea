package dev.sluice.aggregator;

import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.Vote;
import java.util.List;

/** A single-member plan: its one output is the answer. */
public final class PassThroughVoter implements Voter {
    @Override
    public VoteOutcome vote(List<ModelOutput> okOutputs) {
        if (okOutputs.size() != 1) {
            throw new IllegalArgumentException("pass-through needs exactly one output, got " + okOutputs.size());
        }
        ModelOutput o = okOutputs.get(0);
        return new VoteOutcome(o.getLabel(), o.getConfidence(),
                List.of(new Vote(o.getVariant(), o.getLabel(), o.getConfidence())));
    }
}
