package dev.sluice.decision.vote;

import java.util.List;

/**
 * What a vote decided: the winning label, the mean confidence of the outputs that voted for it,
 * and every vote cast (in the order the outputs were given).
 */
public record VoteOutcome(int label, float confidence, List<Ballot> votes) {
    public VoteOutcome {
        votes = List.copyOf(votes);
    }
}
