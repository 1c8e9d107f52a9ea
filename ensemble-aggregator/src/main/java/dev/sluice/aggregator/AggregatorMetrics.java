package dev.sluice.aggregator;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The aggregator's Micrometer meters. Prometheus names: {@code sluice_aggregator_results_total{status}},
 * {@code sluice_aggregator_late_outputs_total}, {@code sluice_aggregator_duplicates_total{kind}},
 * {@code sluice_aggregator_orphans_total}, {@code sluice_aggregator_result_latency_seconds{status}}
 * (created to result, histogram), {@code sluice_aggregator_pending},
 * {@code sluice_aggregator_early_decisions_total} (answers sent before every member reported) and
 * {@code sluice_aggregator_outstanding_members_total} (members those answers did not wait for:
 * their compute is saved once executors skip them, else their outputs arrive late and are ignored),
 * {@code sluice_aggregator_provisional_total{sent}} (early answers to requests with parts missing)
 * and {@code sluice_aggregator_revisions_total{outcome=confirmed|corrected}}.
 */
public final class AggregatorMetrics {
    private final Map<ResultStatus, Counter> results = new EnumMap<>(ResultStatus.class);
    private final Map<ResultStatus, Timer> latency = new EnumMap<>(ResultStatus.class);
    private final Counter lateOutputs;
    private final Counter duplicatePlans;
    private final Counter duplicateOutputs;
    private final Counter orphans;
    private final Counter earlyDecisions;
    private final Counter outstandingMembers;
    private final Counter sloMet;
    private final Counter sloMissed;
    private final Counter provisionalEmitted;
    private final Counter provisionalHeld;
    private final Counter confirmed;
    private final Counter corrected;
    /** One count per processor instance (stream task); the gauge sums them. */
    private final Map<Object, AtomicLong> pendingByProcessor = new ConcurrentHashMap<>();

    public AggregatorMetrics(MeterRegistry registry) {
        for (ResultStatus s : ResultStatus.values()) {
            results.put(s, Counter.builder("sluice.aggregator.results")
                    .description("terminal results emitted").tag("status", s.name()).register(registry));
            latency.put(s, Timer.builder("sluice.aggregator.result.latency")
                    .description("request created to result emitted").tag("status", s.name())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry));
        }
        lateOutputs = Counter.builder("sluice.aggregator.late.outputs")
                .description("model outputs that arrived after their request was answered").register(registry);
        duplicatePlans = Counter.builder("sluice.aggregator.duplicates")
                .description("redelivered records dropped").tag("kind", "plan").register(registry);
        duplicateOutputs = Counter.builder("sluice.aggregator.duplicates")
                .description("redelivered records dropped").tag("kind", "output").register(registry);
        sloMet = Counter.builder("sluice.aggregator.slo").description("results answered (OK or PARTIAL) by their deadline")
                .tag("outcome", "met").register(registry);
        sloMissed = Counter.builder("sluice.aggregator.slo").description("results late, failed or without an answer")
                .tag("outcome", "missed").register(registry);
        orphans = Counter.builder("sluice.aggregator.orphans")
                .description("requests whose outputs arrived but whose plan never did").register(registry);
        earlyDecisions = Counter.builder("sluice.aggregator.early.decisions")
                .description("answers sent before every member reported").register(registry);
        outstandingMembers = Counter.builder("sluice.aggregator.outstanding.members")
                .description("members still outstanding when an early answer went out").register(registry);
        provisionalEmitted = Counter.builder("sluice.aggregator.provisional")
                .description("provisional answers to requests with parts still missing").tag("sent", "true").register(registry);
        provisionalHeld = Counter.builder("sluice.aggregator.provisional")
                .description("provisional answers to requests with parts still missing").tag("sent", "false").register(registry);
        confirmed = Counter.builder("sluice.aggregator.revisions")
                .description("final answers after a provisional one, by whether the label changed").tag("outcome", "confirmed")
                .register(registry);
        corrected = Counter.builder("sluice.aggregator.revisions")
                .description("final answers after a provisional one, by whether the label changed").tag("outcome", "corrected")
                .register(registry);
        Gauge.builder("sluice.aggregator.pending", this, AggregatorMetrics::pending)
                .description("requests waiting for outputs or their deadline").strongReference(true).register(registry);
    }

    /** Requests currently waiting, over every processor of this instance. */
    public long pending() {
        return pendingByProcessor.values().stream().mapToLong(AtomicLong::get).sum();
    }

    void result(InferenceResult r) {
        results.get(r.getStatus()).increment();
        boolean answered = r.getStatus() == ResultStatus.OK || r.getStatus() == ResultStatus.PARTIAL;
        (answered && r.getCompletedAtMs() <= r.getDeadlineMs() ? sloMet : sloMissed).increment();
        double totalMs = r.getLatency().getTotalMs();
        if (totalMs >= 0) {
            latency.get(r.getStatus()).record((long) (totalMs * 1_000_000), TimeUnit.NANOSECONDS);
        }
    }

    void lateOutput() {
        lateOutputs.increment();
    }

    void duplicatePlan() {
        duplicatePlans.increment();
    }

    void duplicateOutput() {
        duplicateOutputs.increment();
    }

    void earlyDecision(int skippedMembers) {
        earlyDecisions.increment();
        outstandingMembers.increment(skippedMembers);
    }

    /** A provisional answer: sent, or held back for a client that wants final results only. */
    void provisional(boolean sent) {
        (sent ? provisionalEmitted : provisionalHeld).increment();
    }

    /** A final answer after a provisional one the client saw. */
    void revised(boolean labelChanged) {
        (labelChanged ? corrected : confirmed).increment();
    }

    void orphan() {
        orphans.increment();
    }

    AtomicLong trackPending(Object processor) {
        return pendingByProcessor.computeIfAbsent(processor, p -> new AtomicLong());
    }

    void untrackPending(Object processor) {
        pendingByProcessor.remove(processor);
    }
}
