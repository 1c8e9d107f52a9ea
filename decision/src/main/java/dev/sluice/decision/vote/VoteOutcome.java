package dev.sluice.decision.vote;

import java.util.List;

/**
 * What a vote decided: the winning label, the mean confidence of the outputs that voted for it,
 * every vote cast (in the order the outputs were given), and, for members whose answers are output
 * tensors rather than classes, the answer's tensors (label -1 then).
 */
public record VoteOutcome(int label, float confidence, List<Ballot> votes, List<OutputTensor> tensors) {
    public VoteOutcome {
        votes = List.copyOf(votes);
        tensors = List.copyOf(tensors);
    }

    /** A vote over classes. */
    public VoteOutcome(int label, float confidence, List<Ballot> votes) {
        this(label, confidence, votes, List.of());
    }
}
