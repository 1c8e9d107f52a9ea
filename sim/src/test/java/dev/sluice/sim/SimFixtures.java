package dev.sluice.sim;

import dev.sluice.decision.trace.RateTrace;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Catalogs and configurations for the simulator's tests. */
final class SimFixtures {
    static final String TASK = "fashion-mnist";
    static final TensorSpec INPUT = new TensorSpec("input", "FP32", List.of(-1L, 1L, 28L, 28L));
    static final TensorSpec OUTPUT = new TensorSpec("logits", "FP32", List.of(-1L, 10L));

    private SimFixtures() {}

    /** The committed zoo (tests run in sim/). */
    static Catalog zoo() {
        return Catalog.load(Path.of("../models/catalog.yaml"));
    }

    static Catalog spokenZoo() {
        return Catalog.load(Path.of("../models/catalog-multimodal.yaml"));
    }

    /** One variant, {@code ms} for a batch of any size up to {@code maxBatch}, no batching delay. */
    static Catalog oneVariant(double accuracy, double ms, int maxBatch) {
        LatencyProfile flat = new LatencyProfile("cpu", 1, "2026-01-01T00:00:00Z", List.of(new LatencyPoint(1, ms, ms, ms),
                new LatencyPoint(maxBatch, ms, ms, ms)));
        Variant v = new Variant("m", TASK, List.of("image"), "m.onnx", INPUT, OUTPUT, "", accuracy, accuracy, flat,
                new BatchingConfig(maxBatch, 0.0));
        return new Catalog(List.of(v));
    }

    /** One variant whose batches of any size up to {@code maxBatch} take p50 {@code p50}, p95 {@code p95} and p99 {@code p99} ms. */
    static Catalog oneSkewedVariant(double p50, double p95, double p99, int maxBatch) {
        LatencyProfile skewed = new LatencyProfile("cpu", 1, "2026-01-01T00:00:00Z", List.of(new LatencyPoint(1, p50, p95, p99),
                new LatencyPoint(maxBatch, p50, p95, p99)));
        Variant v = new Variant("m", TASK, List.of("image"), "m.onnx", INPUT, OUTPUT, "", 0.8, 0.8, skewed,
                new BatchingConfig(maxBatch, 0.0));
        return new Catalog(List.of(v));
    }

    static SimConfig steady(double rps, double seconds, long deadlineMs, Map<String, Integer> replicas) {
        return SimConfig.of(TASK, RateTrace.steady(rps), rps, seconds, deadlineMs, List.of(0.0), replicas);
    }
}
