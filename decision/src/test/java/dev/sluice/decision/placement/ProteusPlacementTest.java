package dev.sluice.decision.placement;

import static dev.sluice.decision.placement.PlacementFixtures.LADDER;
import static dev.sluice.decision.placement.PlacementFixtures.budget;
import static dev.sluice.decision.placement.PlacementFixtures.demand;
import static dev.sluice.decision.placement.PlacementFixtures.problem;
import static dev.sluice.decision.placement.PlacementFixtures.total;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProteusPlacementTest {
    private final ProteusPlacement proteus = new ProteusPlacement(10_000, 0.8);

    @Test
    void withDevicesToSpareEveryRequestGoesToTheMostAccurateVariant() {
        // 100 rps on large needs 100 / (100 x 0.8) = 1.25 devices: the whole budget goes to it
        Placement p = proteus.place(problem(budget(8, 64), demand(0.0, 50, 0.9, 50), null, null));
        assertEquals(Map.of("large", 8), p.replicas());
        p.check(budget(8, 64), LADDER);
    }

    @Test
    void whenTheBudgetIsShortEachFloorStaysOnItsCheapestVariant() {
        // 4,000 rps at floor 0.9 needs 5 devices of medium and 8,000 at floor 0 needs 1 of small: the 6 devices
        // go 5 + 1 (after a fraction of a device of upgrades, which rounding gives back)
        Map<String, Double> need = proteus.routedNeed(LADDER, demand(0.0, 8_000, 0.9, 4_000), 6);
        assertEquals(6.0, need.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-6);
        Placement p = proteus.place(problem(budget(6, 64), demand(0.0, 8_000, 0.9, 4_000), null, null));
        assertEquals(6, total(p.replicas()));
        assertTrue(p.replicas().get("medium") >= 4, p.replicas().toString());
        assertTrue(p.replicas().get("small") >= 1, p.replicas().toString());
        // and an overload beyond the budget splits the devices in proportion to what each floor needs
        Placement over = proteus.place(problem(budget(6, 64), demand(0.0, 40_000, 0.9, 20_000), null, null));
        assertEquals(Map.of("medium", 5, "small", 1), over.replicas());
    }

    @Test
    void upgradesBuyTheMostAccuracyPerDeviceFirst() {
        // 1,000 rps at floor 0: small -> medium costs (1/1000 - 1/10000)/0.8 device-s per request for +0.10,
        // medium -> large (1/100 - 1/1000)/0.8 for +0.05: with 2 devices, all of it reaches medium
        // (1.25 devices) and a sliver goes on to large
        Map<String, Double> need = proteus.routedNeed(LADDER, demand(0.0, 1_000), 2);
        assertTrue(need.get("medium") > 1.1, need.toString());
        assertTrue(need.getOrDefault("small", 0.0) < 1e-6, need.toString());
        assertEquals(2.0, need.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-6);
    }

    @Test
    void aReplanMovesOnlyWhatChanged() {
        Placement before = proteus.place(problem(budget(6, 64), demand(0.0, 8_000, 0.9, 4_000), null, null));
        Placement same = proteus.place(problem(budget(6, 64), demand(0.0, 8_000, 0.9, 4_000), null, before));
        assertEquals(before, same);
        assertEquals(0, same.movesFrom(before));
        Placement shifted = proteus.place(problem(budget(6, 64), demand(0.0, 40_000, 0.9, 2_000), null, before));
        assertEquals(total(shifted.replicas()), 6);
        int gained = 0;
        for (var e : shifted.replicas().entrySet()) {
            gained += Math.max(0, e.getValue() - before.replicas().getOrDefault(e.getKey(), 0));
        }
        assertEquals(gained, shifted.movesFrom(before), before + " -> " + shifted);
        assertTrue(gained > 0);
    }

    @Test
    void noDemandYetGivesTheEvenSplitAndTooLargeVariantsAreNeverPlaced() {
        assertEquals(new EvenPlacement().place(problem(budget(9, 64), demand(), null, null)),
                proteus.place(problem(budget(9, 64), demand(), null, null)));
        Placement p = proteus.place(problem(budget(4, 5), demand(0.95, 10, 0.0, 10), null, null));
        assertEquals(Map.of("medium", 4), p.replicas()); // floor 0.95 only large meets, and large does not fit
        p.check(budget(4, 5), LADDER);
    }

    @Test
    void deterministic() {
        PlacementProblem pr = problem(budget(64, 16), demand(0.0, 3_000, 0.85, 2_000, 0.9, 900, 0.95, 150), null, null);
        assertEquals(proteus.place(pr), new ProteusPlacement(10_000, 0.8).place(pr));
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new ProteusPlacement(0, 0.8));
        assertThrows(IllegalArgumentException.class, () -> new ProteusPlacement(1000, 1.5));
    }
}
