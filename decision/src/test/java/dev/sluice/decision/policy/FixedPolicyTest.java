package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.TASK;
import static dev.sluice.decision.policy.CatalogFixtures.catalog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FixedPolicyTest {
    private static SelectionRequest req(String task, long deadlineAfterT0, double minAccuracy) {
        return new SelectionRequest("r1", task, T0, T0 + deadlineAfterT0, 0, minAccuracy, null, List.of("image"));
    }

    @Test
    void highPicksTheMostAccurateProfiledVariant() {
        Selection s = FixedPolicy.high().decide(req(TASK, 1_000, 0), catalog(), LoadSnapshot.IDLE, T0);
        assertTrue(s.serve());
        assertEquals(List.of("cnn"), s.variants(), "the unprofiled oracle (0.99) must not be chosen");
        assertEquals("fixed-high", FixedPolicy.high().name());
    }

    @Test
    void lowPicksTheCheapestProfiledVariant() {
        Selection s = FixedPolicy.low().decide(req(TASK, 1_000, 0), catalog(), LoadSnapshot.IDLE, T0);
        assertTrue(s.serve());
        assertEquals(List.of("linear"), s.variants(), "the accuracy-less variant must not be chosen");
        assertEquals("fixed-low", FixedPolicy.low().name());
    }

    @Test
    void ignoresDeadlineLoadAndAccuracyFloor() {
        LoadSnapshot busy = new LoadSnapshot(Map.of("cnn", new VariantLoad(10_000, 1, T0),
                "linear", new VariantLoad(10_000, 1, T0)));
        assertEquals(List.of("cnn"), FixedPolicy.high().decide(req(TASK, 1, 0.99), catalog(), busy, T0).variants());
        assertEquals(List.of("linear"), FixedPolicy.low().decide(req(TASK, 1, 0.99), catalog(), busy, T0).variants());
    }

    @Test
    void unknownTaskIsRejected() {
        Selection s = FixedPolicy.high().decide(req("speech", 1_000, 0), catalog(), LoadSnapshot.IDLE, T0);
        assertFalse(s.serve());
        assertTrue(s.reason().contains("'speech'"), s.reason());
    }
}
