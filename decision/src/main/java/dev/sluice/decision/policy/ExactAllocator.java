package dev.sluice.decision.policy;

import java.util.List;
import java.util.Map;

/**
 * The LP optimum by enumerating basic solutions. The LP has two constraints besides s >= 0
 * (shares sum to 1; the budget), so some optimal vertex has at most two non-zero shares: either
 * one variant that fits the budget alone, or two variants mixed so the budget is exactly spent.
 * Checking every single and every pair (n^2 for a handful of variants) is therefore exact.
 */
public final class ExactAllocator implements Allocator {
    @Override
    public Allocation allocate(List<PlanOption> options, double demandPerSec, double budgetCoreSec) {
        PlanOption cheapest = Allocator.cheapest(options);
        double perRequest = Allocator.perRequestBudget(demandPerSec, budgetCoreSec);
        if (cheapest.costSec() > perRequest) {
            return new Allocation(Map.of(cheapest.variant(), 1.0), cheapest.accuracy(), perRequest / cheapest.costSec());
        }
        Allocation best = new Allocation(Map.of(cheapest.variant(), 1.0), cheapest.accuracy(), 1.0);
        for (PlanOption lo : options) {
            if (lo.costSec() > perRequest) {
                continue;
            }
            if (lo.accuracy() > best.accuracy()) {
                best = new Allocation(Map.of(lo.variant(), 1.0), lo.accuracy(), 1.0);
            }
            for (PlanOption hi : options) {
                if (hi.costSec() <= perRequest || hi.accuracy() <= lo.accuracy()) {
                    continue;
                }
                double f = (perRequest - lo.costSec()) / (hi.costSec() - lo.costSec());
                double accuracy = (1 - f) * lo.accuracy() + f * hi.accuracy();
                if (accuracy > best.accuracy()) {
                    best = new Allocation(Map.of(lo.variant(), 1 - f, hi.variant(), f), accuracy, 1.0);
                }
            }
        }
        return best;
    }
}
