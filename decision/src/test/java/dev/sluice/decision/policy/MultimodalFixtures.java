package dev.sluice.decision.policy;

import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.Variant;
import dev.sluice.decision.policy.CatalogFixtures;
import java.util.List;

/**
 * A two-modality task in the shape of fashion-mnist-spoken: image-only, audio-only and image+audio
 * fusion variants, max batch 32, max delay 2 ms, p50 at batch 1 / 8 / 32 as listed, p99 twice
 * p50. With a 10 ms overhead an idle variant is predicted at 12 ms + twice its batch-1 p50
 * (linear 12.04, vgg 12.6, fusion-lite 12.12, fusion-cnn 13.0 ms). Cost per request at full
 * batches (ms): linear .00125, mlp .0053, audio-cnn .0156, cnn-small .0275, fusion-lite .028,
 * audio-wide .031, vgg .1875, fusion-cnn .28125, fusion-wide .375. audio-wide and fusion-wide are
 * dominated in their subsets (costlier, less accurate); fusion-oracle is unprofiled.
 */
final class MultimodalFixtures {
    static final String TASK = "fashion-mnist-spoken";
    static final List<String> IMAGE = List.of("image");
    static final List<String> AUDIO = List.of("audio");
    static final List<String> BOTH = List.of("image", "audio");
    static final BatchingConfig BATCH32 = new BatchingConfig(32, 2.0);

    static final Variant LINEAR = variant("linear", IMAGE, 0.844, 0.02, 0.025, 0.04);
    static final Variant MLP = variant("mlp", IMAGE, 0.90, 0.03, 0.07, 0.17);
    static final Variant CNN = variant("cnn-small", IMAGE, 0.912, 0.05, 0.21, 0.88);
    static final Variant VGG = variant("vgg", IMAGE, 0.934, 0.3, 1.6, 6.0);
    static final Variant AUDIO_CNN = variant("audio-cnn", AUDIO, 0.78, 0.04, 0.15, 0.5);
    static final Variant AUDIO_WIDE = variant("audio-wide", AUDIO, 0.70, 0.06, 0.3, 1.0);
    static final Variant FUSION_LITE = variant("fusion-lite", List.of("audio", "image"), 0.88, 0.06, 0.25, 0.9);
    static final Variant FUSION_CNN = variant("fusion-cnn", BOTH, 0.945, 0.5, 2.5, 9.0);
    static final Variant FUSION_WIDE = variant("fusion-wide", BOTH, 0.94, 0.6, 3.0, 12.0);
    static final Variant FUSION_ORACLE = new Variant("fusion-oracle", TASK, BOTH, "fusion-oracle.onnx", CatalogFixtures.INPUT,
            CatalogFixtures.OUTPUT, "[0,1]", 0.99, 0.99, null, BATCH32);

    private MultimodalFixtures() {}

    static Variant variant(String id, List<String> modalities, double accuracy, double p50b1, double p50b8, double p50b32) {
        LatencyProfile profile = new LatencyProfile("cpu", 2, "2026-01-01T00:00:00Z", List.of(
                new LatencyPoint(1, p50b1, p50b1 * 1.5, p50b1 * 2),
                new LatencyPoint(8, p50b8, p50b8 * 1.5, p50b8 * 2),
                new LatencyPoint(32, p50b32, p50b32 * 1.5, p50b32 * 2)));
        return new Variant(id, TASK, modalities, id + ".onnx", CatalogFixtures.INPUT, CatalogFixtures.OUTPUT, "[0,1]",
                accuracy, accuracy, profile, BATCH32);
    }

    /** Every variant, out of cost order, with the image-only fashion-mnist ladder's task alongside. */
    static Catalog catalog() {
        return new Catalog(List.of(FUSION_CNN, VGG, FUSION_ORACLE, AUDIO_WIDE, LINEAR, FUSION_WIDE, AUDIO_CNN, CNN,
                FUSION_LITE, MLP, CatalogFixtures.CNN));
    }

    static SelectionRequest request(long nowMs, long slackMs, double minAccuracy, List<String> modalities) {
        return new SelectionRequest("r", TASK, nowMs, nowMs + slackMs, 0, minAccuracy, null, modalities);
    }
}
