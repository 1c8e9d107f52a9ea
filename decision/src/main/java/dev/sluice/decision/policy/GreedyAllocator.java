package dev.sluice.decision.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Start all traffic on the cheapest variant, then repeatedly move it to the variant with the
 * best accuracy gain per extra CPU second, as far as the budget allows (a fraction on the last
 * move). Moving from the current variant along the steepest slope walks the upper hull of the
 * (cost, accuracy) points, so on this one-budget problem it reaches the LP optimum; the
 * {@link ExactAllocator} is kept to check that, and for richer constraints later.
 */
public final class GreedyAllocator implements Allocator {
    @Override
    public Allocation allocate(List<PlanOption> options, double demandPerSec, double budgetCoreSec) {
        PlanOption current = Allocator.cheapest(options);
        double perRequest = Allocator.perRequestBudget(demandPerSec, budgetCoreSec);
        if (current.costSec() > perRequest) {
            return new Allocation(Map.of(current.variant(), 1.0), current.accuracy(), perRequest / current.costSec());
        }
        Map<String, Double> shares = new HashMap<>(Map.of(current.variant(), 1.0));
        double spent = current.costSec();
        double accuracy = current.accuracy();
        while (true) {
            PlanOption next = steepestUpgrade(options, current);
            if (next == null) {
                break;
            }
            double extra = next.costSec() - current.costSec();
            double moved = extra <= 0 ? 1.0 : Math.min(1.0, (perRequest - spent) / extra);
            if (moved <= 0) {
                break;
            }
            shares.put(current.variant(), 1.0 - moved);
            shares.merge(next.variant(), moved, Double::sum);
            spent += moved * extra;
            accuracy += moved * (next.accuracy() - current.accuracy());
            if (moved < 1.0) {
                break;
            }
            shares.remove(current.variant());
            current = next;
        }
        shares.values().removeIf(s -> s <= 0);
        return new Allocation(shares, accuracy, 1.0);
    }

    /** The more accurate variant with the best gain per extra cost; a free upgrade beats any. */
    private static PlanOption steepestUpgrade(List<PlanOption> options, PlanOption from) {
        PlanOption best = null;
        double bestRatio = 0;
        for (PlanOption o : options) {
            double gain = o.accuracy() - from.accuracy();
            if (gain <= 0) {
                continue;
            }
            double extra = o.costSec() - from.costSec();
            double ratio = extra <= 0 ? Double.POSITIVE_INFINITY : gain / extra;
            // on equal slopes take the farther point: same line, fewer steps
            if (best == null || ratio > bestRatio || (ratio == bestRatio && o.accuracy() > best.accuracy())) {
                best = o;
                bestRatio = ratio;
            }
        }
        return best;
    }
}
