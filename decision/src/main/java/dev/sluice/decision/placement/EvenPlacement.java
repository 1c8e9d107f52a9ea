package dev.sluice.decision.placement;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The static baseline: the devices split evenly over every variant that fits on a device, one
 * variant per device, whatever the demand (the remainder to the most accurate). Placed once.
 */
public record EvenPlacement() implements PlacementPolicy {
    @Override
    public String name() {
        return "even";
    }

    @Override
    public long replanEveryMs() {
        return 0;
    }

    @Override
    public Placement place(PlacementProblem p) {
        return Placement.onePerDevice(evenCounts(p.fittingMostAccurateFirst(), p.budget().devices()), p.budget().devices(),
                p.previous());
    }

    /** {@code devices} over {@code vs} as evenly as integers allow, the first ones in order getting the remainder. */
    static Map<String, Integer> evenCounts(List<VariantCapacity> vs, int devices) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        int n = Math.min(vs.size(), devices);
        for (int i = 0; i < n; i++) {
            counts.put(vs.get(i).id(), devices / n + (i < devices % n ? 1 : 0));
        }
        return counts;
    }
}
