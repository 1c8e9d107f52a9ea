package dev.sluice.decision.policy;

/** One variant as the traffic planner sees it: its accuracy and the CPU seconds one request costs. */
public record PlanOption(String variant, double accuracy, double costSec) {
    public PlanOption {
        if (!(costSec > 0) || Double.isInfinite(costSec)) {
            throw new IllegalArgumentException("cost of " + variant + " must be a positive finite number, got " + costSec);
        }
    }
}
