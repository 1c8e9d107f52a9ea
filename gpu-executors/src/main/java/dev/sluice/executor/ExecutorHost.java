package dev.sluice.executor;

import dev.sluice.common.KafkaSettings;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One executor process: a {@link VariantExecutor} thread and ONNX session per served variant. */
public final class ExecutorHost implements AutoCloseable {
    private final List<VariantExecutor> executors;

    private ExecutorHost(List<VariantExecutor> executors) {
        this.executors = executors;
    }

    public static ExecutorHost start(KafkaSettings kafka, SluiceSerdes serdes, Catalog catalog, Path catalogDir,
            List<String> variantIds, ExecutorConfig config, MeterRegistry registry) {
        List<VariantExecutor> started = new ArrayList<>();
        Escalation escalation = escalation(catalog);
        try {
            for (String id : variantIds) {
                Variant v = catalog.variant(id).orElseThrow(() -> new IllegalArgumentException(
                        "variant '" + id + "' is not in the catalog; known: "
                                + catalog.variants().stream().map(Variant::id).toList()));
                OnnxModel model = OnnxModel.load(v.resolve(catalogDir), config.device(), config.intraOpThreads(),
                        v.input().sampleSize(), v.output().sampleSize());
                started.add(new VariantExecutor(kafka, serdes, v, model, config, registry, escalation).start());
            }
        } catch (RuntimeException e) {
            started.forEach(VariantExecutor::close);
            throw e;
        }
        return new ExecutorHost(started);
    }

    /**
     * Cascade escalation by the catalog's profiles: the next stage must be expected to answer
     * before the deadline, at its batch-1 p99 plus its batching delay plus the Kafka hops to it and
     * on to the aggregator. Unknown or unprofiled variants are never escalated to.
     */
    static Escalation escalation(Catalog catalog) {
        return new Escalation(id -> catalog.variant(id).filter(Variant::isProfiled)
                .map(v -> v.profile().p99Ms(1) + v.batching().maxDelayMs() + ESCALATION_HOPS_MS)
                .orElse(Double.POSITIVE_INFINITY));
    }

    /** Budget for the task hop and the output hop of an escalated stage (measured p50 of a hop: about 10-20 ms). */
    static final double ESCALATION_HOPS_MS = 40;

    public boolean ready() {
        return executors.stream().allMatch(VariantExecutor::isReady);
    }

    /** variant -> device in use (cuda or cpu). */
    public Map<String, String> devices() {
        Map<String, String> m = new TreeMap<>();
        executors.forEach(e -> m.put(e.variantId(), e.device()));
        return m;
    }

    @Override
    public void close() {
        executors.forEach(VariantExecutor::close);
    }
}
