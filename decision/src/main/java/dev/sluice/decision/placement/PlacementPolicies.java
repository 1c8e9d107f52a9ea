package dev.sluice.decision.placement;

import java.util.List;

/** The placement family by name: {@code even}, {@code proteus}, {@code alpaserve}. */
public final class PlacementPolicies {
    public static final List<String> NAMES = List.of("even", "proteus", "alpaserve");

    /**
     * @param proteusReplanMs how often {@code proteus} re-plans (the Proteus artifact's shipped configs: 10 s)
     * @param proteusUtilisation the share of each device's profiled throughput {@code proteus} plans to use
     * @param alpaserveReplanMs 0: {@code alpaserve} is placed once on the forecast; else its re-plan period
     */
    public record Settings(long proteusReplanMs, double proteusUtilisation, long alpaserveReplanMs) {
        public static final Settings DEFAULTS = new Settings(10_000, 0.8, 0);
    }

    private PlacementPolicies() {}

    public static PlacementPolicy get(String name, Settings s) {
        return switch (name) {
            case "even" -> new EvenPlacement();
            case "proteus" -> new ProteusPlacement(s.proteusReplanMs(), s.proteusUtilisation());
            case "alpaserve" -> new AlpaServePlacement(s.alpaserveReplanMs());
            default -> throw new IllegalArgumentException("unknown placement '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }
}
