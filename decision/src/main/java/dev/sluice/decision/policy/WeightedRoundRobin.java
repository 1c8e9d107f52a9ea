package dev.sluice.decision.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Smooth weighted round robin (nginx's): every pick adds each candidate's weight to its
 * running credit, takes the largest credit and charges it the total. Over any window the picks
 * follow the weights closely, with no randomness. Candidates may differ per pick (a request's
 * floor or deadline rules some out); the rest keep their credit. Not thread-safe.
 */
final class WeightedRoundRobin {
    private final Map<String, Double> credit = new HashMap<>();

    /** Picks among {@code weights} (iteration order breaks ties); null when no weight is positive. */
    String next(Map<String, Double> weights) {
        String pick = null;
        double total = 0;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (e.getValue() <= 0) {
                continue;
            }
            total += e.getValue();
            double c = credit.merge(e.getKey(), e.getValue(), Double::sum);
            if (pick == null || c > credit.get(pick)) {
                pick = e.getKey();
            }
        }
        if (pick != null) {
            credit.merge(pick, -total, Double::sum);
        }
        return pick;
    }
}
