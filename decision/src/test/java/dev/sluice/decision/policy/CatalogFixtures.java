package dev.sluice.decision.policy;

import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.util.List;

/**
 * A small fashion-mnist catalog built in code. Cheapest first (batch-1 p50): linear, mlp, cnn.
 * Each has max batch 8, max delay 2 ms, p99 batch 1 / batch 8 as listed; "oracle" is the most
 * accurate but unprofiled, "nolabel" is profiled but has no measured accuracy.
 */
public final class CatalogFixtures {
    public static final long T0 = 1_700_000_000_000L;
    public static final String TASK = "fashion-mnist";
    public static final TensorSpec INPUT = new TensorSpec("input", "FP32", List.of(-1L, 1L, 28L, 28L));
    public static final TensorSpec OUTPUT = new TensorSpec("logits", "FP32", List.of(-1L, 10L));
    public static final BatchingConfig BATCHING = new BatchingConfig(8, 2.0);

    private CatalogFixtures() {}

    /** p99: batch 1 -> p99b1, batch 8 -> p99b8; p50 is half of p99. */
    public static LatencyProfile profile(double p99b1, double p99b8) {
        return new LatencyProfile("cpu", 1, "2026-01-01T00:00:00Z", List.of(
                // deliberately out of order: the profile sorts by batch
                new LatencyPoint(8, p99b8 / 2, p99b8 * 0.8, p99b8),
                new LatencyPoint(1, p99b1 / 2, p99b1 * 0.8, p99b1)));
    }

    public static Variant variant(String id, Double accuracy, LatencyProfile profile, BatchingConfig batching) {
        return new Variant(id, TASK, List.of("image"), id + ".onnx", INPUT, OUTPUT, "[0,1]", accuracy, accuracy,
                profile, batching);
    }

    public static final Variant LINEAR = variant("linear", 0.84, profile(1.0, 4.0), BATCHING);
    public static final Variant MLP = variant("mlp", 0.88, profile(3.0, 12.0), BATCHING);
    public static final Variant CNN = variant("cnn", 0.92, profile(10.0, 40.0), BATCHING);
    public static final Variant ORACLE = variant("oracle", 0.99, null, BATCHING);
    public static final Variant NO_ACCURACY = variant("nolabel", null, profile(0.1, 0.4), BATCHING);

    public static Catalog catalog() {
        // listed out of cost order on purpose
        return new Catalog(List.of(CNN, ORACLE, LINEAR, NO_ACCURACY, MLP));
    }

    public static float[] image(float value) {
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = value * (i % 7) / 7f;
        }
        return px;
    }

    // a two-modality task: an image variant, an audio variant and a fusion of both
    public static final String SPOKEN = "spoken";
    public static final TensorSpec IMAGE = new TensorSpec("image", "FP32", List.of(-1L, 1L, 28L, 28L));
    public static final TensorSpec AUDIO = new TensorSpec("audio", "FP32", List.of(-1L, 1L, 40L, 64L));
    public static final Variant SPOKEN_IMAGE = new Variant("img", SPOKEN, List.of("image"), "img.onnx", INPUT, OUTPUT, "",
            0.90, 0.90, profile(2.0, 8.0), BATCHING);
    public static final Variant SPOKEN_AUDIO = new Variant("aud", SPOKEN, List.of("audio"), "aud.onnx", AUDIO, OUTPUT, "",
            0.70, 0.70, profile(3.0, 12.0), BATCHING);
    public static final Variant SPOKEN_FUSION = new Variant("fuse", SPOKEN, List.of("image", "audio"), "fuse.onnx", null,
            List.of(IMAGE, AUDIO), OUTPUT, "", 0.95, 0.95, profile(6.0, 24.0), BATCHING);

    /** The fashion-mnist catalog plus the two-modality task. */
    public static Catalog multimodalCatalog() {
        List<Variant> all = new java.util.ArrayList<>(catalog().variants());
        all.addAll(List.of(SPOKEN_FUSION, SPOKEN_AUDIO, SPOKEN_IMAGE));
        return new Catalog(all);
    }
}
