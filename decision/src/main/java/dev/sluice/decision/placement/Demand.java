package dev.sluice.decision.placement;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A demand mix: requests per second by accuracy floor (a request with floor {@code f} may be
 * served by any variant whose accuracy is at least {@code f}; demand for one variant is demand at
 * that variant's accuracy).
 */
public record Demand(Map<Double, Double> perFloor) {
    public static final Demand NONE = new Demand(Map.of());

    public Demand {
        for (var e : perFloor.entrySet()) {
            if (!(e.getValue() >= 0) || e.getKey() == null || !(e.getKey() >= 0)) {
                throw new IllegalArgumentException("demand must be >= 0 requests/s at a floor >= 0, got " + perFloor);
            }
        }
        perFloor = Collections.unmodifiableMap(new TreeMap<>(perFloor));
    }

    public double total() {
        return perFloor.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * Requests per second each variant gets if every request goes to the cheapest variant meeting
     * its floor (the router {@code infaas} is when nothing is queued): the load a floor mix puts
     * on the variants. Floors no variant meets are left out.
     */
    public Map<String, Double> perCheapestVariant(List<VariantCapacity> variants) {
        Map<String, Double> out = new LinkedHashMap<>();
        perFloor.forEach((floor, rate) -> {
            VariantCapacity v = cheapestMeeting(variants, floor);
            if (v != null && rate > 0) {
                out.merge(v.id(), rate, Double::sum);
            }
        });
        return out;
    }

    /** The variant of highest throughput whose accuracy meets {@code floor} (the more accurate on a tie), or null. */
    static VariantCapacity cheapestMeeting(List<VariantCapacity> variants, double floor) {
        return variants.stream().filter(v -> v.accuracy() >= floor)
                .max(Comparator.comparingDouble(VariantCapacity::deviceRps).thenComparingDouble(VariantCapacity::accuracy)
                        .thenComparing(VariantCapacity::id, Comparator.reverseOrder()))
                .orElse(null);
    }
}
