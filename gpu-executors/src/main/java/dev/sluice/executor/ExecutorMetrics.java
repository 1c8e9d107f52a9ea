package dev.sluice.executor;

import dev.sluice.decision.batch.FlushReason;
import dev.sluice.executor.runtime.ModelCache;
import dev.sluice.executor.runtime.ModelHandle;
import dev.sluice.executor.runtime.ResidencyPolicy;
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
 * preferred, max_delay, deadline), the batch-size limit, drops, skipped re-reads, tasks cancelled by
 * early answers and the compute that saved; and of the model cache.
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
    private final Counter cancelled;
    private final Counter computeSaved;
    private final Counter replanned;
    private final DistributionSummary prefetched;
    private final DistributionSummary turnGap;
    /** [fetch back?][previous: 0 none, 1 back, 2 late] */
    private final Counter[][] prefetchNextPolls = new Counter[2][3];
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
        dropped = Counter.builder("sluice.executor.dropped").description("tasks answered DEADLINE_EXCEEDED without running: past their deadline, or unreachable by it")
                .tag("variant", variant).register(r);
        completed = Counter.builder("sluice.executor.completed").tag("variant", variant).register(r);
        errors = Counter.builder("sluice.executor.errors").tag("variant", variant).register(r);
        skipped = Counter.builder("sluice.executor.skipped")
                .description("re-read tasks not run again: their output was already committed").tag("variant", variant).register(r);
        cancelled = Counter.builder("sluice.executor.cancelled")
                .description("queued tasks not run: their request was already answered early").tag("variant", variant).register(r);
        computeSaved = Counter.builder("sluice.executor.compute.saved").baseUnit("milliseconds")
                .description("model time the cancelled tasks would have cost, at the recent per-task cost")
                .tag("variant", variant).register(r);
        prefetched = DistributionSummary.builder("sluice.executor.prefetch.tasks")
                .description("tasks the poll right after a long batch brought in (count: such polls); it also sends the "
                        + "fetch for what arrived while the batch ran, which would otherwise wait through the next batch unseen")
                .tag("variant", variant).register(r);
        turnGap = DistributionSummary.builder("sluice.executor.turn.gap").baseUnit("milliseconds")
                .description("from the end of one batch's model run to the start of the next, with a full batch waiting "
                        + "in between: the loop's own work between batches (polls, outputs, commits, status), time the "
                        + "model does not run under overload")
                .tag("variant", variant).register(r);
        // with a full batch waiting the turn's poll does not wait: whether the prefetch's fetch was back by then
        // and whether the one before was (measured alike either way, so the simulator draws each on its own)
        String[] previous = {"none", "back", "late"};
        for (int p = 0; p < previous.length; p++) {
            prefetchNextPolls[1][p] = prefetchNextPolls(r, variant, "back", previous[p]);
            prefetchNextPolls[0][p] = prefetchNextPolls(r, variant, "late", previous[p]);
        }
        replanned = Counter.builder("sluice.executor.replanned")
                .description("queued tasks moved to a cheaper fallback variant: here they would have answered too late")
                .tag("variant", variant).register(r);
        Gauge.builder("sluice.executor.batch.limit", batchLimit, AtomicInteger::get)
                .description("batch-size limit: max_batch, or the adaptive size").tag("variant", variant).register(r);
        Gauge.builder("sluice.executor.inflight", inFlight, AtomicLong::get).tag("variant", variant).register(r);
        Gauge.builder("sluice.executor.device", () -> 1).tag("variant", variant).tag("device", device).register(r);
    }

    /** Process-wide: how many answered-early request ids the executors know to skip (bounded). */
    static void bindCancellations(MeterRegistry r, CancelledRequests cancelled) {
        Gauge.builder("sluice.executor.cancellations.known", cancelled, CancelledRequests::size)
                .description("request ids answered early that this process's executors will skip").register(r);
    }

    /**
     * Process-wide meters of the model cache: loads, evictions and load time per variant; resident
     * bytes and models, and the budget, for the process.
     */
    static void bindCache(MeterRegistry r, ModelCache<?> cache) {
        Gauge.builder("sluice.executor.models.resident.bytes", cache, ModelCache::residentBytes)
                .description("bytes charged for the loaded models (catalog memory_mb, or the file-size estimate)")
                .baseUnit("bytes").register(r);
        Gauge.builder("sluice.executor.models.resident", cache, ModelCache::residentCount)
                .description("models loaded (or loading)").register(r);
        if (cache.budgetBytes() != ResidencyPolicy.UNLIMITED) {
            Gauge.builder("sluice.executor.models.budget.bytes", cache, ModelCache::budgetBytes).baseUnit("bytes").register(r);
        }
    }

    static ModelCache.Listener cacheListener(MeterRegistry r) {
        return new ModelCache.Listener() {
            @Override
            public void loaded(String id, long bytes, long loadNanos) {
                Counter.builder("sluice.executor.model.loads").description("model sessions loaded (first use or after eviction)")
                        .tag("variant", id).register(r).increment();
                Timer.builder("sluice.executor.model.load.time").description("session load plus warm-up")
                        .tag("variant", id).register(r).record(loadNanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void evicted(String id, long bytes) {
                Counter.builder("sluice.executor.model.evictions").description("models unloaded to fit the memory budget")
                        .tag("variant", id).register(r).increment();
            }
        };
    }

    /** 1 while the variant's model is loaded, else 0. */
    static void bindResidency(MeterRegistry r, ModelHandle model) {
        Gauge.builder("sluice.executor.model.loaded", model, m -> m.isResident() ? 1 : 0).tag("variant", model.id())
                .register(r);
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

    private static Counter prefetchNextPolls(MeterRegistry r, String variant, String fetch, String previous) {
        return Counter.builder("sluice.executor.prefetch.next.polls").tag("variant", variant).tag("fetch", fetch)
                .tag("previous", previous)
                .description("polls right after a prefetch, a full batch waiting (so no wait): fetch=back when they "
                        + "brought tasks (what arrived during the last batch joins the next), late when not (it waits "
                        + "another batch); previous: what the executor's last such poll found (none: the first)")
                .register(r);
    }

    void turnGap(double ms) {
        turnGap.record(ms);
    }

    void prefetched(int n) {
        prefetched.record(n);
    }

    /** A poll right after a prefetch with a full batch waiting: whether its fetch was back, and the last such one's (null: none). */
    void prefetchAnswered(boolean back, Boolean previousBack) {
        prefetchNextPolls[back ? 1 : 0][previousBack == null ? 0 : previousBack ? 1 : 2].increment();
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

    void cancelled(int n, double savedMs) {
        cancelled.increment(n);
        computeSaved.increment(savedMs);
    }

    /** A queued task re-planned to a cheaper fallback (MOSEL); its MOVED output names where. */
    void replanned() {
        replanned.increment();
    }
}
