package dev.sluice.decision.vote;

import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedMajorityVoterTest {
    /** heavy weighs ln(9*99) = 6.8; each light one ln(9) = 2.2. */
    private final VariantWeights weights =
            VariantWeights.fromAccuracy(Map.of("heavy", 0.99, "light1", 0.5, "light2", 0.5), 10);
    private final WeightedMajorityVoter voter = new WeightedMajorityVoter(weights);

    private final List<MemberOutput> heavyAgainstTwo = List.of(
            ok("light1", 2, 0.9f, T0), ok("heavy", 5, 0.6f, T0), ok("light2", 2, 0.8f, T0));

    @Test
    void aHeavyMemberBeatsTwoLightOnes() {
        VoteOutcome v = voter.vote(heavyAgainstTwo);
        assertEquals(5, v.label());
        assertEquals(0.6f, v.confidence());
        assertEquals(List.of(new Ballot("light1", 2, 0.9f), new Ballot("heavy", 5, 0.6f), new Ballot("light2", 2, 0.8f)),
                v.votes());
        assertEquals(2, new MajorityVoter().vote(heavyAgainstTwo).label()); // unweighted, the two win
    }

    @Test
    void comparableMembersVoteLikeAMajority() {
        VariantWeights zoo = VariantWeights.fromAccuracy(Map.of("linear", 0.8444, "mlp", 0.8999, "cnn", 0.9119), 10);
        List<MemberOutput> outs = List.of(ok("linear", 1, 0.5f, T0), ok("mlp", 1, 0.5f, T0),
                ok("cnn", 4, 0.9f, T0));
        assertEquals(1, new WeightedMajorityVoter(zoo).vote(outs).label());
    }

    @Test
    void feedbackShiftsTheWeights() {
        VariantWeights learning = new VariantWeights(Map.of("heavy", 0.99, "light1", 0.5, "light2", 0.5), 10, 10);
        for (int i = 0; i < 40; i++) {
            learning.onFeedback("heavy", false);
        }
        assertEquals(2, new WeightedMajorityVoter(learning).vote(heavyAgainstTwo).label());
    }

    @Test
    void aWeightTieGoesToTheHigherSummedConfidence() {
        List<MemberOutput> outs = List.of(ok("light1", 3, 0.6f, T0), ok("light2", 7, 0.7f, T0));
        assertEquals(7, voter.vote(outs).label());
    }

    @Test
    void settledOnceTheLeadExceedsTheOutstandingWeight() {
        // heavy alone (6.8) outweighs both light members still running (4.4)
        assertTrue(voter.cannotBeOverturned(List.of(ok("heavy", 5, 0.6f, T0)), List.of("light1", "light2")));
        // two light ones agreeing (4.4) do not outweigh the heavy one still running
        assertFalse(voter.cannotBeOverturned(
                List.of(ok("light1", 2, 0.6f, T0), ok("light2", 2, 0.6f, T0)), List.of("heavy")));
        // one light against one light outstanding: a tie is possible
        assertFalse(voter.cannotBeOverturned(List.of(ok("light1", 2, 0.6f, T0)), List.of("light2")));
        assertTrue(voter.cannotBeOverturned(heavyAgainstTwo, List.of()));
    }

    @Test
    void needsAVote() {
        assertThrows(IllegalArgumentException.class, () -> voter.vote(List.of()));
    }
}
