package dev.sluice.selector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Selector meters: decisions by policy, outcome and variant; decision time; dead letters. */
public final class SelectorMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
    private final Timer decisionTime;
    private final Counter deadLetters;

    public SelectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.decisionTime = Timer.builder("sluice.selector.decision").description("policy decision time")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.deadLetters = Counter.builder("sluice.selector.dead.letters").description("undecodable requests sent to the DLQ")
                .register(registry);
    }

    public void decided(String policy, String outcome, String variant, long nanos) {
        decisions.computeIfAbsent(policy + '|' + outcome + '|' + variant, k -> Counter.builder("sluice.selector.decisions")
                .tag("policy", policy).tag("outcome", outcome).tag("variant", variant).register(registry)).increment();
        decisionTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void deadLetter() {
        deadLetters.increment();
    }
}
