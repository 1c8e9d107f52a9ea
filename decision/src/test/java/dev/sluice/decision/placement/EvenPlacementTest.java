package dev.sluice.decision.placement;

import static dev.sluice.decision.placement.PlacementFixtures.LADDER;
import static dev.sluice.decision.placement.PlacementFixtures.budget;
import static dev.sluice.decision.placement.PlacementFixtures.demand;
import static dev.sluice.decision.placement.PlacementFixtures.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EvenPlacementTest {
    private final EvenPlacement even = new EvenPlacement();

    @Test
    void splitsTheDevicesEvenlyOneVariantPerDeviceWhateverTheDemand() {
        Placement p = even.place(problem(budget(10, 64), demand(0.0, 5000), null, null));
        assertEquals(Map.of("large", 4, "medium", 3, "small", 3), p.replicas()); // the remainder to the most accurate
        p.devices().forEach(d -> assertEquals(1, d.size()));
        assertEquals(p, even.place(problem(budget(10, 64), demand(0.95, 1), null, null)));
        p.check(budget(10, 64), LADDER);
        assertEquals(0, even.replanEveryMs());
    }

    @Test
    void leavesOutVariantsLargerThanADevice() {
        Placement p = even.place(problem(budget(6, 5), demand(0.0, 10), null, null));
        assertEquals(Map.of("medium", 3, "small", 3), p.replicas());
        p.check(budget(6, 5), LADDER);
        assertThrows(IllegalArgumentException.class, () -> even.place(problem(budget(6, 0.5), demand(0.0, 10), null, null)));
    }

    @Test
    void fewerDevicesThanVariantsGoToTheMostAccurate() {
        assertEquals(Map.of("large", 1, "medium", 1), even.place(problem(budget(2, 64), demand(), null, null)).replicas());
    }
}
