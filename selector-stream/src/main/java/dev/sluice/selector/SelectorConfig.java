package dev.sluice.selector;

import dev.sluice.decision.policy.Policies;

/**
 * Selector settings, one record. {@code overheadMs} is the latency the Kafka hops add on top of
 * model time (measure it with {@code sluice bench}; exactly-once needs more than at-least-once).
 * {@code policies} builds the policy registry: admission control (which policies it wraps,
 * which priorities shed first, at what predicted lateness) and the bandit's seed. Each selector
 * replica should draw with its own seed ({@link #withInstanceSeed()}), or N replicas would
 * make the same draws.
 */
public record SelectorConfig(String defaultPolicy, long maxInputBytes, long statusStaleMs, Policies.Settings policies) {
    public static SelectorConfig defaults() {
        return new SelectorConfig(Policies.DEFAULT, 256 * 1024, 2_000, Policies.Settings.defaults(40.0));
    }

    public double overheadMs() {
        return policies.overheadMs();
    }

    public SelectorConfig withPolicy(String policy) {
        return new SelectorConfig(policy, maxInputBytes, statusStaleMs, policies);
    }

    public SelectorConfig withOverheadMs(double ms) {
        return new SelectorConfig(defaultPolicy, maxInputBytes, statusStaleMs, policies.withOverheadMs(ms));
    }

    public SelectorConfig withPolicies(Policies.Settings settings) {
        return new SelectorConfig(defaultPolicy, maxInputBytes, statusStaleMs, settings);
    }

    /** A seed of this process's own (host, process id, start time), so that replicas draw apart. */
    public SelectorConfig withInstanceSeed() {
        String host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        long seed = (31L * host.hashCode() + ProcessHandle.current().pid()) * 1_000_003L ^ System.nanoTime();
        return withPolicies(policies.withSeed(seed));
    }
}
