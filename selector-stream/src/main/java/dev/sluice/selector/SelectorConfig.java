package dev.sluice.selector;

import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.quota.TenantQuotas;
import java.time.Duration;
import java.util.Map;

/**
 * Selector settings, one record. {@code maxInputBytes} bounds a request's input tensors;
 * {@code statusStale} is how long an executor replica may stay silent before the load view drops
 * it (ten of the executors' 200 ms status periods). {@code overheadMs} is the latency the Kafka hops add on top of
 * model time (measure it with {@code sluice bench}; exactly-once needs more than at-least-once).
 * {@code policies} builds the policy registry: admission control (which policies it wraps,
 * which priorities shed first, at what predicted lateness) and the bandit's seed. Each selector
 * replica should draw with its own seed ({@link #withInstanceSeed()}), or N replicas would
 * make the same draws. {@code tenantQuotas}: requests/s per tenant, enforced by each selector
 * replica on what it reads (a tenant not named is unlimited; see {@link TenantQuotas}).
 */
public record SelectorConfig(String defaultPolicy, long maxInputBytes, Duration statusStale, Policies.Settings policies,
        Map<String, Double> tenantQuotas) {
    public SelectorConfig {
        if (statusStale.isNegative() || statusStale.isZero() || maxInputBytes < 1) {
            throw new IllegalArgumentException("statusStale and maxInputBytes must be positive: " + statusStale + ", "
                    + maxInputBytes);
        }
        tenantQuotas = Map.copyOf(new TenantQuotas(tenantQuotas).rates()); // validated
    }

    public SelectorConfig(String defaultPolicy, long maxInputBytes, Duration statusStale, Policies.Settings policies) {
        this(defaultPolicy, maxInputBytes, statusStale, policies, Map.of());
    }

    public static SelectorConfig defaults() {
        return new SelectorConfig(Policies.DEFAULT, 256 * 1024, Duration.ofSeconds(2), Policies.Settings.defaults(40.0));
    }

    /** {@link #statusStale} in milliseconds. */
    public long statusStaleMs() {
        return statusStale.toMillis();
    }

    public double overheadMs() {
        return policies.overheadMs();
    }

    public SelectorConfig withPolicy(String policy) {
        return new SelectorConfig(policy, maxInputBytes, statusStale, policies, tenantQuotas);
    }

    public SelectorConfig withOverheadMs(double ms) {
        return new SelectorConfig(defaultPolicy, maxInputBytes, statusStale, policies.withOverheadMs(ms), tenantQuotas);
    }

    public SelectorConfig withPolicies(Policies.Settings settings) {
        return new SelectorConfig(defaultPolicy, maxInputBytes, statusStale, settings, tenantQuotas);
    }

    /** With these per-tenant rates, requests/s (replacing any earlier ones; empty: every tenant unlimited). */
    public SelectorConfig withTenantQuotas(Map<String, Double> rates) {
        return new SelectorConfig(defaultPolicy, maxInputBytes, statusStale, policies, rates);
    }

    /** A seed of this process's own (host, process id, start time), so that replicas draw apart. */
    public SelectorConfig withInstanceSeed() {
        String host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        long seed = (31L * host.hashCode() + ProcessHandle.current().pid()) * 1_000_003L ^ System.nanoTime();
        return withPolicies(policies.withSeed(seed));
    }
}
