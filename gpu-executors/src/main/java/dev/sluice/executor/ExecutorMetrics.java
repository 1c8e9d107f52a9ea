package dev.sluice.executor;

import dev.sluice.executor.batch.FlushReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Meters of one variant's executor: queue and compute time, batch sizes, flush reasons (full,
 * preferred, max_delay, deadline), the batch-size limit, drops, skipped re-reads.
 */
final class ExecutorMetrics {
    private final Timer queueTime;
    private final Timer computeTime;
    private final DistributionSummary batchSize;
    private final Map<FlushReason, Counter> flushes = new EnumMap<>(FlushReason.class);
    private final Counter dropped;
    private final Counter completed;
    private final Counter errors;
    private final Counter skipped;
    final AtomicLong inFlight = new AtomicLong();
    /** The batch-size limit now: max_batch, or the adaptive (AIMD) size when that is on. */
    final AtomicInteger batchLimit = new AtomicInteger();

    ExecutorMetrics(MeterRegistry r, String variant, String device) {
        queueTime = Timer.builder("sluice.executor.queue").description("task wait from selector emit to batch start")
                .tag("variant", variant).publishPercentileHistogram().register(r);
        computeTime = Timer.builder("sluice.executor.compute").description("model run time per batch")
                .tag("variant", variant).tag("device", device).publishPercentileHistogram().register(r);
        batchSize = DistributionSummary.builder("sluice.executor.batch.size").tag("variant", variant)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(r);
        for (FlushReason f : FlushReason.values()) {
            flushes.put(f, Counter.builder("sluice.executor.flushes").tag("variant", variant)
                    .tag("reason", f.name().toLowerCase()).register(r));
        }
        dropped = Counter.builder("sluice.executor.dropped").description("tasks past their deadline, not run")
                .tag("variant", variant).register(r);
        completed = Counter.builder("sluice.executor.completed").tag("variant", variant).register(r);
        errors = Counter.builder("sluice.executor.errors").tag("variant", variant).register(r);
        skipped = Counter.builder("sluice.executor.skipped")
                .description("re-read tasks not run again: their output was already committed").tag("variant", variant).register(r);
        Gauge.builder("sluice.executor.batch.limit", batchLimit, AtomicInteger::get)
                .description("batch-size limit: max_batch, or the adaptive size").tag("variant", variant).register(r);
        Gauge.builder("sluice.executor.inflight", inFlight, AtomicLong::get).tag("variant", variant).register(r);
        Gauge.builder("sluice.executor.device", () -> 1).tag("variant", variant).tag("device", device).register(r);
    }

    void batch(FlushReason reason, int size, double computeMs) {
        flushes.get(reason).increment();
        batchSize.record(size);
        computeTime.record((long) (computeMs * 1e6), TimeUnit.NANOSECONDS);
        completed.increment(size);
    }

    void queued(double ms) {
        queueTime.record((long) (Math.max(ms, 0) * 1e6), TimeUnit.NANOSECONDS);
    }

    void dropped(int n) {
        dropped.increment(n);
    }

    void error(int n) {
        errors.increment(n);
    }

    void skipped(int n) {
        skipped.increment(n);
    }
}
