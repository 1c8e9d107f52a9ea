package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.Comparator;
import java.util.List;

/**
 * Clipper's static baselines: always the most accurate variant of the task ({@code fixed-high})
 * or always the cheapest ({@code fixed-low}), whatever the deadline or load.
 */
public final class FixedPolicy implements SelectionPolicy {
    private final boolean high;

    private FixedPolicy(boolean high) {
        this.high = high;
    }

    public static FixedPolicy high() {
        return new FixedPolicy(true);
    }

    public static FixedPolicy low() {
        return new FixedPolicy(false);
    }

    @Override
    public String name() {
        return high ? "fixed-high" : "fixed-low";
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        List<Variant> vs = catalog.forTask(req.task()).stream().filter(Variant::isProfiled).toList();
        if (vs.isEmpty()) {
            return Selection.reject("no profiled variant serves task '" + req.task() + "'");
        }
        Comparator<Variant> byAccuracy = Comparator.comparingDouble(Variant::accuracy);
        Variant v = high ? vs.stream().max(byAccuracy).orElseThrow() : vs.get(0);
        return Selection.serve(List.of(v.id()), Double.NaN);
    }
}
