package dev.sluice.decision.policy;

import java.util.List;

/**
 * Splits a demand over variants to maximise average accuracy within one shared CPU budget:
 * maximise sum(s_i a_i) subject to sum(s_i) = 1, s_i >= 0 and
 * demand x sum(s_i c_i) <= budget (core-seconds per second).
 */
public interface Allocator {
    Allocation allocate(List<PlanOption> options, double demandPerSec, double budgetCoreSec);

    /** Everything on the cheapest (most accurate among equally cheap): the answer when the budget is short. */
    static PlanOption cheapest(List<PlanOption> options) {
        if (options.isEmpty()) {
            throw new IllegalArgumentException("nothing to allocate: no variant");
        }
        PlanOption best = options.get(0);
        for (PlanOption o : options) {
            if (o.costSec() < best.costSec() || (o.costSec() == best.costSec() && o.accuracy() > best.accuracy())) {
                best = o;
            }
        }
        return best;
    }

    /** Core-seconds the budget affords per request; infinite when there is no demand. */
    static double perRequestBudget(double demandPerSec, double budgetCoreSec) {
        return demandPerSec <= 0 ? Double.POSITIVE_INFINITY : budgetCoreSec / demandPerSec;
    }
}
