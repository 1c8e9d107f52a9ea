package dev.sluice.decision.vote;

import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static dev.sluice.decision.vote.MemberFixtures.probs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProbabilityAveragingVoterTest {
    private static final float EPS = 1e-6f;
    private final ProbabilityAveragingVoter voter = new ProbabilityAveragingVoter();

    @Test
    void meanOfTheVectorsDecides() {
        // two members lean weakly to 1, one is sure of 2: the mean says 2 where a majority says 1
        List<MemberOutput> outs = List.of(
                probs("a", T0, 0.25f, 0.40f, 0.35f),
                probs("b", T0, 0.25f, 0.40f, 0.35f),
                probs("c", T0, 0.05f, 0.05f, 0.90f));
        VoteOutcome v = voter.vote(outs);
        assertEquals(2, v.label());
        assertEquals((0.35f + 0.35f + 0.90f) / 3, v.confidence(), EPS);
        assertEquals(List.of(new Ballot("a", 1, 0.40f), new Ballot("b", 1, 0.40f), new Ballot("c", 2, 0.90f)), v.votes());
        assertEquals(1, new MajorityVoter().vote(outs).label());
    }

    @Test
    void aMemberWithoutProbabilitiesCountsAsOneHot() {
        List<MemberOutput> outs = List.of(probs("a", T0, 0.1f, 0.6f, 0.3f), ok("b", 2, 0.99f, T0));
        VoteOutcome v = voter.vote(outs);
        assertEquals(2, v.label()); // class 2: (0.3 + 1) / 2 = 0.65 against class 1: 0.3
        assertEquals(0.65f, v.confidence(), EPS);
    }

    @Test
    void shorterVectorsArePadded() {
        List<MemberOutput> outs = List.of(probs("a", T0, 0.2f, 0.8f), ok("b", 3, 0.9f, T0));
        VoteOutcome v = voter.vote(outs); // means [0.1, 0.4, 0, 0.5]
        assertEquals(3, v.label());
        assertEquals(0.5f, v.confidence(), EPS);
    }

    @Test
    void aTieGoesToTheLowerLabel() {
        assertEquals(0, voter.vote(List.of(probs("a", T0, 0.5f, 0.5f))).label());
    }

    @Test
    void waitsWhileTheOutstandingCouldFlipTheArgmax() {
        // 3 members, 2 reported: lead 0.9 + 0.8 - 0.1 - 0.1 = 1.5 > 1 outstanding: settled
        List<MemberOutput> sure = List.of(probs("a", T0, 0.9f, 0.1f), probs("b", T0, 0.8f, 0.1f, 0.1f));
        assertTrue(voter.cannotBeOverturned(sure, List.of("c")));
        // lead 0.6 + 0.6 - 0.4 - 0.4 = 0.4 < 1: the third member could flip it
        List<MemberOutput> unsure = List.of(probs("a", T0, 0.6f, 0.4f), probs("b", T0, 0.6f, 0.4f));
        assertFalse(voter.cannotBeOverturned(unsure, List.of("c")));
        // 1.5 lead is not safe against 2 outstanding members
        assertFalse(voter.cannotBeOverturned(sure, List.of("c", "d")));
        assertTrue(voter.cannotBeOverturned(unsure, List.of()));
    }

    @Test
    void needsAVote() {
        assertThrows(IllegalArgumentException.class, () -> voter.vote(List.of()));
    }
}
