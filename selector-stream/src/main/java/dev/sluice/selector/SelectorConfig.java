package dev.sluice.selector;

import dev.sluice.decision.policy.Policies;

/**
 * Selector settings. {@code overheadMs} is the latency the Kafka hops add on top of model
 * time (measure it with {@code sluice bench}; exactly-once needs more than at-least-once).
 */
public record SelectorConfig(String defaultPolicy, double overheadMs, long maxInputBytes, long statusStaleMs) {
    public static SelectorConfig defaults() {
        return new SelectorConfig(Policies.DEFAULT, 40.0, 256 * 1024, 2_000);
    }

    public SelectorConfig withPolicy(String policy) {
        return new SelectorConfig(policy, overheadMs, maxInputBytes, statusStaleMs);
    }

    public SelectorConfig withOverheadMs(double ms) {
        return new SelectorConfig(defaultPolicy, ms, maxInputBytes, statusStaleMs);
    }
}
