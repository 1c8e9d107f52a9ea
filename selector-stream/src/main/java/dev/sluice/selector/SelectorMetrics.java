package dev.sluice.selector;

import dev.sluice.decision.policy.ModalityBaselinePolicy;
import dev.sluice.decision.policy.MoselPolicy;
import dev.sluice.decision.policy.Policies;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Selector meters: decisions by policy, outcome and variant; decision time; dead letters. */
public final class SelectorMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<String, Timer> decisionTime = new ConcurrentHashMap<>();
    private final Counter deadLetters;
    private final Map<String, Counter> parts = new ConcurrentHashMap<>();
    private final Map<String, Counter> quotaRejected = new ConcurrentHashMap<>();

    public SelectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.deadLetters = Counter.builder("sluice.selector.dead.letters").description("undecodable requests sent to the DLQ")
                .register(registry);
        for (String outcome : new String[] {"planned", "held", "duplicate", "expired"}) {
            partCounter(outcome); // on /metrics from the start, so dashboards see zeros rather than no series
        }
    }

    /**
     * A request refused because its tenant was over its quota, as
     * {@code sluice_selector_quota_rejected_total{tenant}} (only tenants with a configured rate
     * can be refused, so the tenants are a bounded set).
     */
    public void overQuota(String tenant) {
        quotaRejected.computeIfAbsent(tenant, t -> Counter.builder("sluice.selector.quota.rejected")
                .description("requests answered REJECTED because their tenant was over its rate quota")
                .tag("tenant", t).register(registry)).increment();
    }

    public void decided(String policy, String outcome, String variant, long nanos) {
        decisions.computeIfAbsent(policy + '|' + outcome + '|' + variant, k -> Counter.builder("sluice.selector.decisions")
                .tag("policy", policy).tag("outcome", outcome).tag("variant", variant).register(registry)).increment();
        decisionTime.computeIfAbsent(policy, p -> Timer.builder("sluice.selector.decision").description("policy decision time")
                .tag("policy", p).publishPercentiles(0.5, 0.99).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** p99 decision time of {@code policy} over the recent window, microseconds (NaN if none). */
    public static double decisionP99Us(MeterRegistry registry, String policy) {
        Timer t = registry.find("sluice.selector.decision").tag("policy", policy).timer();
        if (t == null) {
            return Double.NaN;
        }
        for (var v : t.takeSnapshot().percentileValues()) {
            if (Math.abs(v.percentile() - 0.99) < 1e-9) {
                return v.value(TimeUnit.MICROSECONDS);
            }
        }
        return Double.NaN;
    }

    /**
     * One part of a request in several parts: {@code outcome} is planned (a plan revision went
     * out), held (waiting for the other parts), duplicate (a part seen before, ignored) or expired
     * (the request's other parts never came; its state was dropped).
     */
    public void part(String outcome) {
        partCounter(outcome).increment();
    }

    private Counter partCounter(String outcome) {
        return parts.computeIfAbsent(outcome, o -> Counter.builder("sluice.selector.parts")
                .description("parts of requests that arrive in several parts, by what the selector did with them")
                .tag("outcome", o).register(registry));
    }

    /**
     * Exports the decision counts of the modality policies ({@code mosel}, {@code all-modalities},
     * {@code image-only}) as {@code sluice_selector_modality_decisions_total{policy, outcome}}:
     * at_floor, spilled (of those, moved off a long queue), below_floor (shed under load),
     * modalities_dropped (of those, by a variant using fewer modalities), substituted (of those, by a
     * substitute of the variant that would have served: model equivalence) and rejected.
     */
    public void bindModalityPolicies(Policies policies) {
        policies.map(p -> p).forEach((name, policy) -> {
            Function<Object, MoselPolicy.Counts> counts;
            if (policy instanceof MoselPolicy) {
                counts = p -> ((MoselPolicy) p).counts();
            } else if (policy instanceof ModalityBaselinePolicy) {
                counts = p -> ((ModalityBaselinePolicy) p).counts();
            } else {
                return;
            }
            Map<String, ToDoubleFunction<MoselPolicy.Counts>> outcomes = Map.of(
                    "at_floor", c -> c.atFloor(), "spilled", c -> c.spilled(), "below_floor", c -> c.belowFloor(),
                    "modalities_dropped", c -> c.modalitiesDropped(), "rejected", c -> c.rejected(),
                    "substituted", c -> c.substituted());
            // the policy itself is the counted object: Micrometer holds it weakly, the registry of policies strongly
            outcomes.forEach((outcome, f) -> FunctionCounter
                    .builder("sluice.selector.modality.decisions", (Object) policy, p -> f.applyAsDouble(counts.apply(p)))
                    .description("decisions of the modality policies, by outcome").tag("policy", name).tag("outcome", outcome)
                    .register(registry));
        });
    }

    public void deadLetter() {
        deadLetters.increment();
    }
}
