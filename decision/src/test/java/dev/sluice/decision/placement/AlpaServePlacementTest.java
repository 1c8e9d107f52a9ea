package dev.sluice.decision.placement;

import static dev.sluice.decision.placement.PlacementFixtures.LADDER;
import static dev.sluice.decision.placement.PlacementFixtures.budget;
import static dev.sluice.decision.placement.PlacementFixtures.demand;
import static dev.sluice.decision.placement.PlacementFixtures.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlpaServePlacementTest {
    private final AlpaServePlacement alpa = new AlpaServePlacement(0);

    @Test
    void withMemoryToSpareEveryVariantIsOnEveryDevice() {
        Placement p = alpa.place(problem(budget(5, 64), demand(0.0, 10), demand(0.0, 100, 0.95, 50), null));
        assertEquals(Map.of("large", 5, "medium", 5, "small", 5), p.replicas());
        p.devices().forEach(d -> assertEquals(List.of("large", "medium", "small"), d));
        p.check(budget(5, 64), LADDER);
    }

    @Test
    void tightMemoryGoesToTheVariantsWithTheMostPeakLoadAndNoDeviceOverflows() {
        // 11 MB per device: large (10 MB) fits beside small (1 MB) only, medium (4 MB) beside small
        // peak load: floor 0.95 at 300 rps = 3 devices of large, floor 0.9 at 1,000 = 1 device of medium
        Placement p = alpa.place(problem(budget(6, 11), demand(), demand(0.9, 1_000, 0.95, 300), null));
        p.check(budget(6, 11), LADDER);
        Map<String, Integer> r = p.replicas();
        assertTrue(r.get("large") > r.get("medium"), r.toString());
        assertTrue(r.get("medium") >= 1, r.toString());
        // every device full enough that no further replica fits anywhere it is missing
        for (int d = 0; d < 6; d++) {
            double free = 11 - p.memoryMb(d, Placement.byId(LADDER));
            for (VariantCapacity v : LADDER) {
                assertTrue(p.devices().get(d).contains(v.id()) || v.memoryMb() > free + 1e-9, "device " + d + " has room for " + v.id());
            }
        }
    }

    @Test
    void burstyVariantsShareDevicesRatherThanPinningThem() {
        // two floors whose peaks come at different times: each peak alone needs 3 devices
        Placement p = alpa.place(problem(budget(4, 14), demand(0.9, 100, 0.95, 10), demand(0.9, 3_000, 0.95, 300), null));
        p.check(budget(4, 14), LADDER);
        assertEquals(4, p.devicesOf("large").size(), p.toString()); // 10 + 4 = 14 MB: both on every device
        assertEquals(4, p.devicesOf("medium").size(), p.toString());
    }

    @Test
    void deterministic() {
        PlacementProblem pr = problem(budget(16, 12), demand(), demand(0.0, 9_000, 0.9, 700, 0.95, 120), null);
        assertEquals(alpa.place(pr), new AlpaServePlacement(0).place(pr));
        assertEquals(0, alpa.replanEveryMs());
    }
}
