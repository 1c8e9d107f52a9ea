package dev.sluice.executor.profile;

import dev.sluice.models.LabelledSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.Softmax;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Profiles the committed linear.onnx on a tiny synthetic data set. */
class ModelProfilerTest {
    private static final Path MODELS = Path.of("../models");

    private static Variant linear() {
        return new Variant("linear", "fashion-mnist", List.of("image"), "linear.onnx",
                new TensorSpec("input", "FP32", List.of(-1L, 1L, 28L, 28L)),
                new TensorSpec("logits", "FP32", List.of(-1L, 10L)),
                "[0,1]", null, null, null, new BatchingConfig(8, 2.0));
    }

    private static FashionMnist tiny(int n) {
        float[][] images = new float[n][784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 784; p++) {
                images[i][p] = ((p * (i + 2) + 17 * i) % 256) / 255f;
            }
            labels[i] = i % 10;
        }
        return new FashionMnist(images, labels);
    }

    @Test
    void measuresAccuracyAndLatencyPerBatchSize() {
        FashionMnist data = tiny(6);
        List<String> progress = new ArrayList<>();
        ModelProfiler profiler = new ModelProfiler(Device.CPU, 1, new int[] {1, 2}, 0.05);
        ModelProfiler.Measurement m = profiler.measure(linear(), MODELS, data, progress::add);

        assertEquals(6, m.total());
        assertTrue(m.correct() >= 0 && m.correct() <= 6);
        assertEquals(m.correct() / 6.0, m.accuracy(), 1e-12);
        assertTrue(m.accuracy() >= 0 && m.accuracy() <= 1);

        assertEquals("cpu", m.profile().device());
        assertEquals(1, m.profile().threads());
        assertEquals(2, m.profile().points().size());
        assertEquals(List.of(1, 2), m.profile().points().stream().map(LatencyPoint::batch).toList());
        for (LatencyPoint p : m.profile().points()) {
            assertTrue(p.p50Ms() > 0, p.toString());
            assertTrue(p.p50Ms() <= p.p95Ms() && p.p95Ms() <= p.p99Ms(), p.toString());
        }

        Variant measured = m.variant();
        assertTrue(measured.isProfiled());
        assertEquals(m.accuracy(), measured.accuracy(), 1e-4);
        assertEquals(m.profile(), measured.profile());
        assertEquals(3, progress.size(), "one accuracy line and one line per batch size: " + progress);
    }

    @Test
    void accuracyAgreesWithTheModelsOwnAnswers() {
        FashionMnist data = tiny(4);
        // relabel so that exactly the first two samples are right
        int[] labels = new int[4];
        try (OnnxModel model = OnnxModel.load(MODELS.resolve("linear.onnx"), Device.CPU, 1, 784, 10)) {
            for (int i = 0; i < 4; i++) {
                int predicted = Softmax.argmax(model.run(data.images()[i], 1), 0, 10);
                labels[i] = i < 2 ? predicted : (predicted + 1) % 10;
            }
        }
        FashionMnist relabelled = new FashionMnist(data.images(), labels);
        ModelProfiler.Measurement m = new ModelProfiler(Device.CPU, 1, new int[] {1}, 0.01)
                .measure(linear(), MODELS, relabelled, s -> { });
        assertEquals(2, m.correct());
        assertEquals(0.5, m.accuracy(), 1e-12);
    }

    @Test
    void skipsBatchSizesBeyondWhatTheExecutorWouldUse() {
        // max batch 8 but the floor is 64: 128 is skipped, 2 is kept
        ModelProfiler.Measurement m = new ModelProfiler(Device.CPU, 1, new int[] {2, 128}, 0.01)
                .measure(linear(), MODELS, tiny(3), s -> { });
        assertEquals(List.of(2), m.profile().points().stream().map(LatencyPoint::batch).toList());
    }

    /** A tiny two-modality set: images and log-mel-like audio, labels given. */
    private static LabelledSet imagesAndAudio(FashionMnist images, int[] labels) {
        return new LabelledSet() {
            @Override
            public int size() {
                return labels.length;
            }

            @Override
            public int label(int i) {
                return labels[i];
            }

            @Override
            public List<String> modalities() {
                return List.of("image", "audio");
            }

            @Override
            public float[] sample(String modality, int i) {
                if (modality.equals("image")) {
                    return images.images()[i];
                }
                assertEquals("audio", modality);
                float[] a = new float[2560];
                for (int j = 0; j < a.length; j++) {
                    a[j] = (float) (-6 + 4 * Math.sin(0.3 * j * (i + 1)));
                }
                return a;
            }

            @Override
            public String description() {
                return labels.length + " synthetic samples";
            }
        };
    }

    @Test
    void aTwoInputVariantIsFedBothModalities() {
        Catalog multi = Catalog.load(MODELS.resolve("catalog-multimodal.yaml"));
        Variant fusion = multi.variant("fusion-lite").orElseThrow();
        assertEquals(List.of("image", "audio"), LabelledSet.inputModalities(fusion));
        assertEquals(List.of("audio"), LabelledSet.inputModalities(multi.variant("audio-cnn").orElseThrow()));
        assertEquals(List.of("image"), LabelledSet.inputModalities(linear()));
        FashionMnist images = tiny(4);
        LabelledSet unlabelled = imagesAndAudio(images, new int[4]);
        // relabel so that exactly samples 0 and 3 are right
        int[] labels = new int[4];
        try (OnnxModel model = OnnxModel.load(fusion, MODELS, Device.CPU, 1)) {
            for (int i = 0; i < 4; i++) {
                float[] out = model.run(new float[][] {unlabelled.sample("image", i), unlabelled.sample("audio", i)}, 1);
                int predicted = Softmax.argmax(out, 0, 10);
                labels[i] = i == 0 || i == 3 ? predicted : (predicted + 1) % 10;
            }
        }
        List<String> progress = new ArrayList<>();
        ModelProfiler.Measurement m = new ModelProfiler(Device.CPU, 1, new int[] {1, 4}, 0.01)
                .measure(fusion, MODELS, imagesAndAudio(images, labels), progress::add);
        assertEquals(2, m.correct());
        assertEquals(List.of(1, 4), m.profile().points().stream().map(LatencyPoint::batch).toList());
        assertTrue(m.variant().isProfiled());
        assertTrue(m.variant().isMultiInput());
        assertTrue(progress.get(0).contains("[image, audio]"), progress.get(0));
    }

    @Test
    void anImageSetCannotFeedAnAudioVariant() {
        Variant audio = Catalog.load(MODELS.resolve("catalog-multimodal.yaml")).variant("audio-cnn").orElseThrow();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ModelProfiler(Device.CPU, 1, new int[] {1}, 0.01).measure(audio, MODELS, tiny(2), s -> { }));
        assertTrue(e.getMessage().contains("not 'audio'"), e.getMessage());
    }

    @Test
    void percentileIsNearestRank() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, ModelProfiler.pct(sorted, 0.5));
        assertEquals(10, ModelProfiler.pct(sorted, 0.95));
        assertEquals(1, ModelProfiler.pct(sorted, 0.0));
    }
}
