package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.placement.DeviceBudget;
import dev.sluice.decision.placement.Placement;
import dev.sluice.decision.placement.PlacementPolicies;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.sim.hops.HopLatencies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The zoo on 8 devices of this machine's measured class, 1,500 requests/s with every request at
 * floor 0.935 for the first 2 s (only vgg-tta meets it: about 890 rps per device) and at floor 0
 * after (linear serves it on a sliver of a device).
 */
class PlacementRunTest {
    private static PlacementRun setup(double seconds) {
        return setup(seconds, 1_500);
    }

    private static PlacementRun setup(double seconds, double rps) {
        SimConfig c = SimConfig.of(SimFixtures.TASK, RateTrace.steady(rps), rps, seconds, 150, List.of(0.0), Map.of());
        FloorPhases floors = new FloorPhases(List.of(0.0), List.of(0.935, 0.0, 0.0, 0.0), 1.0, 2);
        return new PlacementRun(c, SimFixtures.zoo(), HopLatencies.constant(1), new SimEnvironment(null, null), "infaas",
                new DeviceBudget(8, 64, "cpu"), floors, 500, new PlacementPolicies.Settings(1_000, 0.8, 0));
    }

    @Test
    void aBurstOnOneVariantMissesOnItsEvenShareAndIsServedWhenDevicesAreShared() {
        PlacementRun s = setup(4);
        Placement even = s.initial("even");
        assertEquals(1, even.replicas().get("vgg-tta"));
        Placement alpa = s.initial("alpaserve");
        assertEquals(8, alpa.devicesOf("vgg-tta").size(), alpa.toString());
        PlacementRun.Result e = s.run("even", 3, null);
        PlacementRun.Result a = s.run("alpaserve", 3, null);
        assertEquals(e.run().sent(), a.run().sent());
        // even: one vgg-tta device for ~1.7x its throughput for 2 s; alpaserve: eight devices share it
        assertTrue(e.run().violations() > 1_000, "even: " + e.run().violations());
        assertTrue(a.run().violations() * 10 < e.run().violations(), "alpaserve " + a.run().violations() + " vs even "
                + e.run().violations());
        // only placed variants serve, and a device is never busy more than all the time
        assertTrue(even.replicas().keySet().containsAll(e.run().variantMix().keySet()), e.run().variantMix().toString());
        assertTrue(e.deviceUtilisation() > 0 && e.deviceUtilisation() <= 1, "utilisation " + e.deviceUtilisation());
        assertTrue(a.deviceUtilisation() > 0 && a.deviceUtilisation() <= 1, "utilisation " + a.deviceUtilisation());
        assertEquals(0, e.replans());
        assertEquals(0, a.moves());
    }

    @Test
    void proteusReplansOnTheObservedDemandAndPaysForEachMove() {
        // 8,000 rps: more than 8 devices of vgg-tta serve (about 7,100), so once floor 0 dominates the plan
        // puts part of the demand on cheaper variants: the placement changes and some replicas move
        PlacementRun s = setup(6, 8_000);
        PlacementRun.Result p = s.run("proteus", 3, null);
        assertTrue(p.replans() >= 5, "re-plans " + p.replans());
        assertTrue(p.moves() > 0, "moves " + p.moves() + ", plans " + p.plans());
        assertEquals(p.replans() + 1, p.plans().size());
        assertEquals(Map.of("vgg-tta", 8), p.plans().get(0).get("replicas"));
        p.plans().forEach(plan -> assertEquals(8, ((Map<?, ?>) plan.get("replicas")).values().stream()
                .mapToInt(n -> (Integer) n).sum(), plan.toString()));
    }

    @Test
    void aSeedRepeatsExactly() {
        PlacementRun s = setup(3);
        for (String name : PlacementPolicies.NAMES) {
            PlacementRun.Result a = s.run(name, 11, null);
            PlacementRun.Result b = s.run(name, 11, null);
            assertEquals(a.run().sent(), b.run().sent(), name);
            assertEquals(a.run().violations(), b.run().violations(), name);
            assertEquals(a.run().effectiveAccuracy(), b.run().effectiveAccuracy(), name);
            assertEquals(a.run().latencyMs(), b.run().latencyMs(), name);
            assertEquals(a.deviceUtilisation(), b.deviceUtilisation(), name);
            assertEquals(a.plans(), b.plans(), name);
        }
    }

    @Test
    void floorPhasesRotateTheHotFloor() {
        FloorPhases f = new FloorPhases(List.of(0.0, 0.9), List.of(0.93, 0.95), 0.8, 10);
        assertEquals(0.93, f.floor(0, 5), 0);
        assertEquals(0.95, f.floor(79, 15), 0);
        assertEquals(0.93, f.floor(79, 25), 0);
        assertEquals(0.0, f.floor(80, 5), 0);
        assertEquals(0.9, f.floor(81, 5), 0);
        Map<Double, Double> mix = f.mixAt(12);
        assertEquals(List.of(0.0, 0.9, 0.95), List.copyOf(mix.keySet()));
        assertEquals(0.8, mix.get(0.95), 1e-12);
        assertEquals(0.1, mix.get(0.0), 1e-12);
        assertEquals(0.1, mix.get(0.9), 1e-12);
    }
}
