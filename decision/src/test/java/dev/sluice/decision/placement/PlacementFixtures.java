package dev.sluice.decision.placement;

import java.util.List;
import java.util.Map;

/** A hand-made ladder: cheap and inaccurate to costly and accurate, with memory to match. */
final class PlacementFixtures {
    /** 0.80, 10,000 rps per device, 1 MB */
    static final VariantCapacity SMALL = new VariantCapacity("small", 0.80, 1, 10_000, 32);
    /** 0.90, 1,000 rps per device, 4 MB */
    static final VariantCapacity MEDIUM = new VariantCapacity("medium", 0.90, 4, 1_000, 16);
    /** 0.95, 100 rps per device, 10 MB */
    static final VariantCapacity LARGE = new VariantCapacity("large", 0.95, 10, 100, 8);
    static final List<VariantCapacity> LADDER = List.of(SMALL, MEDIUM, LARGE);

    private PlacementFixtures() {}

    static DeviceBudget budget(int devices, double memoryMb) {
        return new DeviceBudget(devices, memoryMb, "test");
    }

    static Demand demand(double... floorRatePairs) {
        java.util.Map<Double, Double> m = new java.util.TreeMap<>();
        for (int i = 0; i < floorRatePairs.length; i += 2) {
            m.put(floorRatePairs[i], floorRatePairs[i + 1]);
        }
        return new Demand(m);
    }

    static PlacementProblem problem(DeviceBudget b, Demand now, Demand peak, Placement previous) {
        return new PlacementProblem(b, LADDER, now, peak, previous);
    }

    static int total(Map<String, Integer> replicas) {
        return replicas.values().stream().mapToInt(Integer::intValue).sum();
    }
}
