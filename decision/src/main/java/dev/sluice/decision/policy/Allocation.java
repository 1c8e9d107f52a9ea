package dev.sluice.decision.policy;

import java.util.Map;

/**
 * A traffic split: the share of requests each variant gets (summing to 1), the average
 * accuracy it yields, and the fraction of demand the budget can serve (1 unless even the
 * cheapest variant is too expensive, Proteus's beta).
 */
public record Allocation(Map<String, Double> shares, double accuracy, double servedFraction) {
    public Allocation {
        shares = Map.copyOf(shares);
    }
}
