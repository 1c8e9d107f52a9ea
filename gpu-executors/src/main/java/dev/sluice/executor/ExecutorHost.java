package dev.sluice.executor;

import dev.sluice.common.Health;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.decision.replan.Escalation;
import dev.sluice.decision.replan.QueueReplan;
import dev.sluice.executor.runtime.ModelCache;
import dev.sluice.executor.runtime.ModelHandle;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One executor process: a {@link VariantExecutor} thread per served variant, all drawing their
 * ONNX sessions from one {@link ModelCache} (loaded on first use, LRU-unloaded under a budget),
 * and all skipping the queued tasks of requests the aggregator answered early ({@link Topics#cancellations()}).
 */
public final class ExecutorHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecutorHost.class);

    private final List<VariantExecutor> executors;
    private final ModelCache<OnnxModel> cache;
    private final TopicFollower<String> cancellations;

    private ExecutorHost(List<VariantExecutor> executors, ModelCache<OnnxModel> cache, TopicFollower<String> cancellations) {
        this.executors = executors;
        this.cache = cache;
        this.cancellations = cancellations;
    }

    /** Lazy loading, no memory budget. */
    public static ExecutorHost start(KafkaSettings kafka, SluiceSerdes serdes, Catalog catalog, Path catalogDir,
            List<String> variantIds, ExecutorConfig config, MeterRegistry registry) {
        return start(kafka, serdes, catalog, catalogDir, variantIds, config, ModelResidency.defaults(), registry);
    }

    public static ExecutorHost start(KafkaSettings kafka, SluiceSerdes serdes, Catalog catalog, Path catalogDir,
            List<String> variantIds, ExecutorConfig config, ModelResidency residency, MeterRegistry registry) {
        return start(kafka, serdes, () -> catalog, catalogDir, variantIds, config, residency, registry);
    }

    /**
     * Serving {@code variantIds} as {@code liveCatalog} describes them at start; cascade escalation
     * and queue re-planning look their targets up in the catalog it holds at each decision, so a
     * variant published later becomes a target and a removed one stops being one.
     */
    public static ExecutorHost start(KafkaSettings kafka, SluiceSerdes serdes, Supplier<Catalog> liveCatalog, Path catalogDir,
            List<String> variantIds, ExecutorConfig config, ModelResidency residency, MeterRegistry registry) {
        Catalog catalog = liveCatalog.get();
        List<Variant> served = new ArrayList<>();
        for (String id : variantIds) {
            served.add(catalog.variant(id).orElseThrow(() -> new IllegalArgumentException(
                    "variant '" + id + "' is not in the catalog; known: "
                            + catalog.variants().stream().map(Variant::id).toList())));
        }
        ModelCache<OnnxModel> cache = new ModelCache<>(residency.budgetBytes(), residency.maxWaitMs(),
                ExecutorMetrics.cacheListener(registry));
        ExecutorMetrics.bindCache(registry, cache);
        List<VariantExecutor> started = new ArrayList<>();
        Escalation escalation = escalation(liveCatalog);
        QueueReplan replan = replan(liveCatalog);
        CancelledRequests cancelled = new CancelledRequests();
        ExecutorMetrics.bindCancellations(registry, cancelled);
        TopicFollower<String> cancellations = null;
        try {
            // early answers from the aggregator; from the end: older ones name no task still queued
            cancellations = new TopicFollower<>("executor-cancellations", kafka, kafka.topics().cancellations(),
                    new StringDeserializer(), TopicFollower.Start.END, cancelled::cancel);
            String expected = OnnxModel.expectedDevice(config.device());
            List<ModelHandle> handles = new ArrayList<>();
            for (Variant v : served) {
                // fails here, at start, for a model larger than the whole budget or a missing file
                ModelHandle h = ModelHandle.register(cache, v, catalogDir, config.device(), config.intraOpThreads(), expected);
                ExecutorMetrics.bindResidency(registry, h);
                handles.add(h);
            }
            log.info("executor {}: {} variants, {}", config.executorId(), served.size(), residency);
            if (residency.eager()) {
                for (ModelHandle h : handles) {
                    h.acquire().close();
                }
            }
            for (int i = 0; i < served.size(); i++) {
                started.add(new VariantExecutor(kafka, serdes, served.get(i), handles.get(i), config, registry, escalation,
                        cancelled, replan).start());
            }
            return new ExecutorHost(started, cache, cancellations);
        } catch (RuntimeException e) {
            started.forEach(VariantExecutor::close);
            if (cancellations != null) {
                cancellations.close();
            }
            cache.close();
            throw e;
        }
    }

    /**
     * Cascade escalation by the catalog's profiles: the next stage must be expected to answer
     * before the deadline, at its batch-1 p99 plus its batching delay plus the Kafka hops to it and
     * on to the aggregator. Unknown or unprofiled variants are never escalated to.
     */
    static Escalation escalation(Supplier<Catalog> catalog) {
        return new Escalation(id -> expectedMs(catalog.get(), id));
    }

    /** Dispatch to output for an idle variant: batch-1 p99, batching delay, hops; infinite when unknown or unprofiled. */
    private static double expectedMs(Catalog catalog, String id) {
        return catalog.variant(id).filter(Variant::isProfiled)
                .map(v -> v.profile().p99Ms(1) + v.batching().maxDelayMs() + ESCALATION_HOPS_MS)
                .orElse(Double.POSITIVE_INFINITY);
    }

    /** MOSEL re-planning of queued tasks to their fallbacks, expected at the same latency a cascade escalates by. */
    static QueueReplan replan(Supplier<Catalog> catalog) {
        return new QueueReplan(id -> catalog.get().variant(id), id -> expectedMs(catalog.get(), id));
    }

    /** Budget for the task hop and the output hop of an escalated stage (measured p50 of a hop: about 10-20 ms). */
    static final double ESCALATION_HOPS_MS = 40;

    /** Every variant's consumer has joined its group; models load on first use, so this says nothing of them. */
    public boolean ready() {
        return executors.stream().allMatch(VariantExecutor::isReady);
    }

    /**
     * DOWN when any variant's loop stopped on its own (it never consumes again in this process),
     * STARTING until every variant's consumer has joined its group, UP otherwise.
     */
    public Health.Report health() {
        List<String> failed = new ArrayList<>();
        for (VariantExecutor e : executors) {
            String f = e.failure();
            if (f != null) {
                failed.add(e.variantId() + ": " + f);
            }
        }
        if (!failed.isEmpty()) {
            return new Health.Report("executor", Health.Status.DOWN, String.join("; ", failed));
        }
        return ready() ? Health.Report.up("executor")
                : new Health.Report("executor", Health.Status.STARTING, "consumers joining their groups");
    }

    /** variant -> device in use (cuda or cpu; as expected for a model not loaded yet). */
    public Map<String, String> devices() {
        Map<String, String> m = new TreeMap<>();
        executors.forEach(e -> m.put(e.variantId(), e.device()));
        return m;
    }

    /** Models loaded now, least recently used first. */
    public List<String> residentModels() {
        return cache.lruOrder();
    }

    @Override
    public void close() {
        executors.forEach(VariantExecutor::close); // stop the threads first: no batch runs on a closed session
        cancellations.close();
        cache.close();
    }
}
