package dev.sluice.decision.placement;

import java.util.Comparator;
import java.util.List;

/**
 * What a placement decides from: the device budget, the variants that can be planned (each with
 * its memory and per-device throughput on the budget's device class), the demand to serve now
 * (observed over the last window, or forecast), the peak demand expected (the bursts the
 * placement should absorb; equal to {@code demand} when nothing better is known), and the
 * placement in force (null at the start), from which a re-plan moves as little as it can.
 */
public record PlacementProblem(DeviceBudget budget, List<VariantCapacity> variants, Demand demand, Demand peak,
                               Placement previous) {
    public PlacementProblem {
        variants = variants.stream().sorted(Comparator.comparing(VariantCapacity::id)).toList();
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("nothing to place: no variant can be planned (profiled, meeting half the deadline)");
        }
        peak = peak == null ? demand : peak;
    }

    /** The variants that fit on one device of the budget alone (an error when none does). */
    List<VariantCapacity> fitting() {
        List<VariantCapacity> out = variants.stream().filter(v -> v.memoryMb() <= budget.memoryMb()).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no variant fits in a device's " + budget.memoryMb() + " MB");
        }
        return out;
    }

    /** {@link #fitting()}, most accurate first (by id on a tie). */
    List<VariantCapacity> fittingMostAccurateFirst() {
        return fitting().stream()
                .sorted(Comparator.comparingDouble(VariantCapacity::accuracy).reversed().thenComparing(VariantCapacity::id)).toList();
    }
}
