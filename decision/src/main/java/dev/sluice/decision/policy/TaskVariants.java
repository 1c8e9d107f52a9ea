package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The profiled variants of one task (measured accuracy and latency both present), cheapest
 * first as the catalog orders them. Unprofiled variants never serve: nothing could be promised.
 */
record TaskVariants(String task, List<Variant> byCost) {
    TaskVariants {
        byCost = List.copyOf(byCost);
    }

    static TaskVariants of(Catalog catalog, String task) {
        return new TaskVariants(task, catalog.forTask(task).stream().filter(Variant::isProfiled).toList());
    }

    /** The variants by id. */
    Map<String, Variant> byId() {
        Map<String, Variant> m = new HashMap<>();
        byCost.forEach(v -> m.put(v.id(), v));
        return m;
    }

    /** Each variant's predicted latency at the current load, by id. */
    Map<String, Double> estimatesMs(LatencyEstimator estimator, LoadSnapshot load) {
        Map<String, Double> m = new HashMap<>();
        byCost.forEach(v -> m.put(v.id(), estimator.estimateMs(v, load.of(v.id()))));
        return m;
    }

    boolean isEmpty() {
        return byCost.isEmpty();
    }

    /** Least accurate first; ties go to the cheaper (stable sort over cost order). */
    List<Variant> byAccuracy() {
        return byCost.stream().sorted(Comparator.comparingDouble(Variant::accuracy)).toList();
    }

    List<Variant> meeting(double minAccuracy) {
        return byCost.stream().filter(v -> v.accuracy() >= minAccuracy).toList();
    }

    double bestAccuracy() {
        return byCost.stream().mapToDouble(Variant::accuracy).max().orElse(0);
    }

    long totalQueue(LoadSnapshot load) {
        return byCost.stream().mapToLong(v -> Math.max(0, load.of(v.id()).totalQueue())).sum();
    }

    /** The batch size an executor can reach: configured max, capped by what was measured. */
    static int maxBatch(Variant v) {
        return Math.min(v.batching().maxBatch(), v.profile().maxMeasuredBatch());
    }

    /** CPU time one request costs when batched fully (p50 of a full batch over its size). */
    static double msPerRequest(Variant v) {
        int b = maxBatch(v);
        return v.profile().p50Ms(b) / b;
    }

    /**
     * What one request costs now: the profile's full-batch figure, or the executors' live figure
     * when they report a higher one (smaller batches, or a CPU shared with the Kafka clients).
     */
    static double msPerRequest(Variant v, VariantLoad load) {
        return Math.max(msPerRequest(v), load.msPerRequest());
    }

    /** Requests per second one replica serves of this variant at the live cost (see {@link #msPerRequest(Variant, VariantLoad)}). */
    static double capacityPerSec(Variant v, VariantLoad load) {
        return 1000.0 / Math.max(msPerRequest(v, load), 1e-9);
    }

    /** Requests per second one replica serves of this variant at full batches. */
    static double capacityPerSec(Variant v) {
        return 1000.0 / Math.max(msPerRequest(v), 1e-9);
    }
}
