package dev.sluice.decision.vote;

import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class VotersTest {
    private final Voter majority = new MajorityVoter();

    @Test
    void passThroughReturnsItsOneOutput() {
        VoteOutcome v = new PassThroughVoter().vote(List.of(ok("a", 7, 0.8f, T0)));
        assertEquals(new VoteOutcome(7, 0.8f, List.of(new Ballot("a", 7, 0.8f))), v);
    }

    @Test
    void passThroughRefusesAnythingButOneOutput() {
        assertThrows(IllegalArgumentException.class, () -> new PassThroughVoter().vote(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PassThroughVoter().vote(
                List.of(ok("a", 1, 0.5f, T0), ok("b", 1, 0.5f, T0))));
    }

    @Test
    void majorityTakesThePluralityWithMeanConfidenceOfWinners() {
        VoteOutcome v = majority.vote(List.of(
                ok("a", 2, 0.6f, T0), ok("b", 5, 0.99f, T0), ok("c", 2, 0.8f, T0)));
        assertEquals(2, v.label());
        assertEquals((float) ((0.6f + 0.8f) / 2.0), v.confidence());
        assertEquals(List.of(new Ballot("a", 2, 0.6f), new Ballot("b", 5, 0.99f), new Ballot("c", 2, 0.8f)), v.votes());
    }

    @Test
    void majorityTieGoesToHigherSummedConfidence() {
        VoteOutcome v = majority.vote(List.of(ok("a", 1, 0.6f, T0), ok("b", 4, 0.7f, T0)));
        assertEquals(4, v.label());
        assertEquals(0.7f, v.confidence());
    }

    @Test
    void majorityFullTieGoesToLowerLabel() {
        VoteOutcome v = majority.vote(List.of(ok("a", 6, 0.5f, T0), ok("b", 3, 0.5f, T0)));
        assertEquals(3, v.label());
    }

    @Test
    void majorityOfOneIsThatOutput() {
        assertEquals(9, majority.vote(List.of(ok("a", 9, 0.4f, T0))).label());
    }

    @Test
    void majorityNeedsAVote() {
        assertThrows(IllegalArgumentException.class, () -> majority.vote(List.of()));
    }

    @Test
    void votersAreLookedUpByMethod() {
        Voters voters = Voters.unweighted();
        assertInstanceOf(PassThroughVoter.class, voters.of(VoteMethod.PASS_THROUGH));
        assertInstanceOf(MajorityVoter.class, voters.of(VoteMethod.MAJORITY));
        assertInstanceOf(WeightedMajorityVoter.class, voters.of(VoteMethod.WEIGHTED_MAJORITY));
        assertInstanceOf(ProbabilityAveragingVoter.class, voters.of(VoteMethod.PROBABILITY_AVERAGE));
        assertInstanceOf(SelfConsistencyVoter.class, voters.of(VoteMethod.SELF_CONSISTENCY));
    }
}
