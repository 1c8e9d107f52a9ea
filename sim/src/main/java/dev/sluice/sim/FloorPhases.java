package dev.sluice.sim;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Floors that change by phase, so that bursts of demand hit different variants at different
 * times (what lets placements that share devices pay off): time is cut into phases of
 * {@code phaseS} seconds; in phase {@code k} a share {@code hotShare} of the requests carry the
 * hot floor {@code hot[k mod hot.size()]} and the others the {@code base} floors in turn. With no
 * hot floors every request takes the base floors in turn, as {@code bench policies} assigns them.
 * Deterministic: request {@code i} is hot when {@code i mod 100 < round(100 hotShare)}.
 *
 * @param base floors assigned in turn to the requests that are not hot
 * @param hot the hot floor of each phase, in order, repeating
 * @param hotShare the share of requests that carry the phase's hot floor
 * @param phaseS how long each phase lasts (s)
 */
public record FloorPhases(List<Double> base, List<Double> hot, double hotShare, double phaseS) implements FloorSchedule {
    public FloorPhases {
        base = base.isEmpty() ? List.of(0.0) : List.copyOf(base);
        hot = List.copyOf(hot);
        if (!(hotShare >= 0 && hotShare <= 1) || !(phaseS > 0)) {
            throw new IllegalArgumentException("hot share must be in [0, 1] and phases positive, got " + hotShare + " and "
                    + phaseS + " s");
        }
    }

    /** Every request takes {@code floors} in turn. */
    public static FloorPhases inTurn(List<Double> floors) {
        return new FloorPhases(floors, List.of(), 0, 1);
    }

    @Override
    public double floor(int index, double atS) {
        if (!hot.isEmpty() && index % 100 < Math.round(hotShare * 100)) {
            return hotAt(atS);
        }
        return base.get(index % base.size());
    }

    private double hotAt(double atS) {
        return hot.get((int) (Math.floorMod((long) Math.floor(Math.max(0, atS) / phaseS), (long) hot.size())));
    }

    /** The share of requests at each floor at time {@code atS} (the forecast a placement may plan with). */
    public Map<Double, Double> mixAt(double atS) {
        Map<Double, Double> out = new TreeMap<>();
        double h = hot.isEmpty() ? 0 : Math.round(hotShare * 100) / 100.0;
        if (h > 0) {
            out.merge(hotAt(atS), h, Double::sum);
        }
        for (double f : base) {
            out.merge(f, (1 - h) / base.size(), Double::sum);
        }
        return out;
    }

    public String describe() {
        return hot.isEmpty() ? "floors " + base + " in turn"
                : String.format(java.util.Locale.ROOT, "%.0f%% of requests at the phase's hot floor %s (phases of %.0f s), the "
                        + "rest at %s in turn", hotShare * 100, hot, phaseS, base);
    }
}
