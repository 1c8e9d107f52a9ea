package dev.sluice.decision.aggregate;

import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static dev.sluice.decision.vote.MemberFixtures.probs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The class probabilities an answer carries: the mean of its voting members'. */
class MeanProbabilitiesTest {

    @Test
    void oneMemberGivesItsOwn() {
        assertEquals(List.of(0.1f, 0.7f, 0.2f), AggregationDecider.meanProbabilities(List.of(probs("a", T0, 0.1f, 0.7f, 0.2f))));
    }

    @Test
    void severalAreAveragedElementWise() {
        List<Float> mean = AggregationDecider.meanProbabilities(List.of(probs("a", T0, 0.2f, 0.8f), probs("b", T0, 0.6f, 0.4f)));
        assertEquals(0.4f, mean.get(0), 1e-6);
        assertEquals(0.6f, mean.get(1), 1e-6);
    }

    @Test
    void membersWithoutProbabilitiesOrOfAnotherLengthAreLeftOut() {
        List<Float> mean = AggregationDecider.meanProbabilities(List.of(probs("a", T0, 0.2f, 0.3f, 0.5f),
                ok("b", 1, 0.9f, T0), probs("c", T0, 0.5f, 0.5f)));
        assertEquals(List.of(0.2f, 0.3f, 0.5f), mean);
        assertTrue(AggregationDecider.meanProbabilities(List.of(ok("b", 1, 0.9f, T0))).isEmpty());
        assertTrue(AggregationDecider.meanProbabilities(List.of()).isEmpty());
    }

    @Test
    void theResultKeepsItsProbabilitiesThroughRevisions() {
        RequestResult r = new RequestResult("r", RequestStatus.OK, 0, true, 1, 0.7f, List.of("a"), List.of(),
                new StageTimes(0, 0, 0, 0, 0, 0), null, "p", 0, 1, 1, List.of(0.3f, 0.7f));
        assertEquals(List.of(0.3f, 0.7f), r.withRevision(2, false).withReason("x").withCompletedAtMs(5).probabilities());
        assertTrue(new RequestResult("r", RequestStatus.INVALID, 0, true, -1, 0f, List.of(), List.of(),
                new StageTimes(0, 0, 0, 0, 0, 0), "bad", "p", 0, 1, 1).probabilities().isEmpty());
    }
}
