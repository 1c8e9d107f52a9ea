package dev.sluice.executor.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Cascade;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CascadeProfilerTest {
    // 4 samples, 2 classes; labels 0,1,0,1
    private static final int[] LABELS = {0, 1, 0, 1};
    // cheap: right and sure on 0, wrong and unsure on 1, right and unsure on 2, wrong and sure on 3
    private static final EnsembleProfiler.MemberOutputs CHEAP = new EnsembleProfiler.MemberOutputs("cheap", 2,
            new float[] {0.95f, 0.05f, 0.6f, 0.4f, 0.7f, 0.3f, 0.9f, 0.1f});
    // strong: right everywhere but on 2
    private static final EnsembleProfiler.MemberOutputs STRONG = new EnsembleProfiler.MemberOutputs("strong", 2,
            new float[] {0.9f, 0.1f, 0.2f, 0.8f, 0.4f, 0.6f, 0.3f, 0.7f});

    @Test
    void theSecondStageAnswersExactlyTheUnsureSamples() {
        Cascade c = CascadeProfiler.score(CHEAP, STRONG, LABELS, 0.8, STRONG.accuracy(LABELS));
        // escalated: samples 1 (0.6) and 2 (0.7); answers: 0 cheap ok, 1 strong ok, 2 strong wrong, 3 cheap wrong
        assertEquals(0.5, c.escalationRate());
        assertEquals(0.5, c.accuracy());
        assertEquals(0.75, c.lastStageAccuracy());
        assertEquals(List.of("cheap", "strong"), c.stages());
        Cascade all = CascadeProfiler.score(CHEAP, STRONG, LABELS, 0.99, 0.75);
        assertEquals(1.0, all.escalationRate());
        assertEquals(0.75, all.accuracy());
        Cascade none = CascadeProfiler.score(CHEAP, STRONG, LABELS, 0.5, 0.75);
        assertEquals(0.0, none.escalationRate());
        assertEquals(CHEAP.accuracy(LABELS), none.accuracy());
    }

    @Test
    void onlyTheAccuracyCostFrontIsKept() {
        List<Cascade> front = CascadeProfiler.measure(List.of(CHEAP, STRONG), LABELS, List.of(0.5, 0.65, 0.8, 0.99),
                Map.of("cheap", 1.0, "strong", 10.0)::get);
        // costs 1, 3.5, 6, 11 with accuracies .5, .75, .5, .75: the 0.8 (costlier, no better) and 0.99 go
        assertEquals(List.of(0.5, 0.65), front.stream().map(Cascade::threshold).toList());
        for (int i = 1; i < front.size(); i++) {
            assertTrue(front.get(i).accuracy() > front.get(i - 1).accuracy());
        }
    }

    @Test
    void eachLastStageKeepsItsOwnFront() {
        // a third member as strong as STRONG on these samples: cheap>strong2 and cheap>strong tie,
        // but each stays, since the selector credits a cascade on its own last stage
        EnsembleProfiler.MemberOutputs strong2 = new EnsembleProfiler.MemberOutputs("strong2", 2, STRONG.probabilities());
        List<Cascade> front = CascadeProfiler.measure(List.of(CHEAP, STRONG, strong2), LABELS, List.of(0.65),
                Map.of("cheap", 1.0, "strong", 10.0, "strong2", 12.0)::get);
        assertTrue(front.stream().anyMatch(c -> c.stages().equals(List.of("cheap", "strong"))), front.toString());
        assertTrue(front.stream().anyMatch(c -> c.stages().equals(List.of("cheap", "strong2"))), front.toString());
        for (int i = 1; i < front.size(); i++) {
            assertTrue(cost(front.get(i)) >= cost(front.get(i - 1)), "cheapest first: " + front);
        }
    }

    private static double cost(Cascade c) {
        Map<String, Double> ms = Map.of("cheap", 1.0, "strong", 10.0, "strong2", 12.0);
        return ms.get(c.first()) + c.escalationRate() * ms.get(c.stages().get(1));
    }
}
