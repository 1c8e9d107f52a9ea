package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Tensor;
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.InputViews;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.schemas.Tensors;
import dev.sluice.decision.VariantViews;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The executor's input path on real sessions: tasks' tensors laid out by {@link TaskInputs} and run
 * by {@link OnnxModel}, as {@link VariantExecutor} does, against a direct ONNX Runtime run.
 */
class TaskInputsTest {
    private static final Path DIR = Path.of("../models");
    private static final Catalog MULTI = Catalog.load(DIR.resolve("catalog-multimodal.yaml"));
    private static final Catalog IMAGES = Catalog.load(DIR.resolve("catalog.yaml"));

    static float[] image(int seed) {
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = ((i * (seed + 3) + seed * 31) % 256) / 255f;
        }
        return px;
    }

    /** Log-mel-like values (natural log of a power, about -14..2), different per seed. */
    static float[] audio(int seed) {
        float[] a = new float[40 * 64];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (-6 + 5 * Math.sin(0.37 * i * (seed + 1) + seed) - (i % 40) * 0.1);
        }
        return a;
    }

    static Tensor imageTensor(String name, float[] px) {
        return Tensors.fp32(name, new long[] {1, 1, 28, 28}, px);
    }

    static Tensor audioTensor(float[] a) {
        return Tensors.fp32("audio", new long[] {1, 1, 40, 64}, a);
    }

    static InferenceTask task(String id, String variant, Tensor input, List<Tensor> extra) {
        return InferenceTask.newBuilder().setRequestId(id).setVariant(variant).setTask("fashion-mnist-spoken")
                .setInput(input).setExtraInputs(extra).setCreatedAtMs(0).setDeadlineMs(Long.MAX_VALUE).setEnqueuedAtMs(0)
                .build();
    }

    /** fusion-cnn run straight on ONNX Runtime with both tensors, batch 1. */
    static float[] direct(Path model, float[] px, float[] a) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor ti = OnnxTensor.createTensor(env, FloatBuffer.wrap(px), new long[] {1, 1, 28, 28});
             OnnxTensor ta = OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {1, 1, 40, 64});
             OrtSession.Result r = s.run(Map.of("image", ti, "audio", ta))) {
            return ((float[][]) r.get(0).getValue())[0];
        }
    }

    @Test
    void fusionCnnAnswersAsADirectRunWhateverTheTensorOrder() throws Exception {
        Variant fusion = MULTI.variant("fusion-cnn").orElseThrow();
        TaskInputs inputs = new TaskInputs(fusion, 8);
        assertEquals(2, inputs.inputCount());
        List<InferenceTask> batch = new ArrayList<>();
        List<float[]> px = new ArrayList<>();
        List<float[]> au = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            px.add(image(i));
            au.add(audio(i));
            InferenceTask t = i % 2 == 0
                    ? task("r" + i, "fusion-cnn", imageTensor("image", px.get(i)), List.of(audioTensor(au.get(i))))
                    : task("r" + i, "fusion-cnn", audioTensor(au.get(i)), List.of(imageTensor("image", px.get(i)))); // swapped
            assertNull(inputs.problem(t), "task " + i);
            batch.add(t);
        }
        try (OnnxModel m = OnnxModel.load(fusion, DIR, Device.CPU, 1)) {
            m.warmUp(8);
            float[] logits = m.run(inputs.fill(batch), 4);
            assertEquals(40, logits.length);
            for (int i = 0; i < 4; i++) {
                float[] want = direct(fusion.resolve(DIR), px.get(i), au.get(i));
                assertArrayEquals(want, Arrays.copyOfRange(logits, i * 10, i * 10 + 10), 1e-4f, "task " + i);
            }
            assertFalse(Arrays.equals(Arrays.copyOfRange(logits, 0, 10), Arrays.copyOfRange(logits, 10, 20)),
                    "different inputs, different logits");
            // the audio matters: the same image with other audio answers differently
            float[] other = m.run(inputs.fill(List.of(task("x", "fusion-cnn", imageTensor("image", px.get(0)),
                    List.of(audioTensor(au.get(1)))))), 1);
            assertFalse(Arrays.equals(Arrays.copyOfRange(logits, 0, 10), other));
        }
    }

    @Test
    void aTaskWithoutItsAudioIsRefusedNamingWhatIsMissing() {
        TaskInputs inputs = new TaskInputs(MULTI.variant("fusion-cnn").orElseThrow(), 8);
        String p = inputs.problem(task("r", "fusion-cnn", imageTensor("image", image(1)), List.of()));
        assertNotNull(p);
        assertTrue(p.contains("no 'audio' tensor"), p);
        assertTrue(p.contains("[image]"), "says what the task carries: " + p);

        // an image-only request's tensor is named input, not image: both are missing
        String unnamed = inputs.problem(task("r", "fusion-cnn", imageTensor("input", image(1)), List.of(audioTensor(audio(1)))));
        assertTrue(unnamed.contains("no 'image' tensor"), unnamed);
    }

    @Test
    void wrongSizeDatatypeOrADuplicateTensorIsRefused() {
        TaskInputs inputs = new TaskInputs(MULTI.variant("fusion-lite").orElseThrow(), 4);
        Tensor shortAudio = Tensors.fp32("audio", new long[] {1, 1, 40, 32}, new float[40 * 32]);
        String size = inputs.problem(task("r", "fusion-lite", imageTensor("image", image(1)), List.of(shortAudio)));
        assertTrue(size.contains("'audio'") && size.contains("[1, 40, 64]"), size);

        Tensor int64 = new Tensor("audio", "INT64", List.of(1L, 1L, 40L, 64L),
                java.nio.ByteBuffer.allocate(40 * 64 * 8), Map.of());
        String type = inputs.problem(task("r", "fusion-lite", imageTensor("image", image(1)), List.of(int64)));
        assertTrue(type.contains("datatype INT64"), type);

        String twice = inputs.problem(task("r", "fusion-lite", imageTensor("image", image(1)),
                List.of(audioTensor(audio(1)), audioTensor(audio(2)))));
        assertTrue(twice.contains("2 tensors named 'audio'"), twice);

        String view = inputs.problem(task("r", VariantViews.view("fusion-lite", 1), imageTensor("image", image(1)),
                List.of(audioTensor(audio(1)))));
        assertTrue(view.contains("views need one 1x28x28 input"), view);
    }

    @Test
    void aOneInputModelIsFedItsInputWhateverItsNameAndViewsStillApply() {
        TaskInputs inputs = new TaskInputs(IMAGES.variant("vgg").orElseThrow(), 4);
        float[] px = image(7);
        InferenceTask plain = task("a", "vgg", imageTensor("input", px), List.of());
        InferenceTask named = task("b", "vgg", imageTensor("whatever", px), List.of());
        InferenceTask view = task("c", VariantViews.view("vgg", 2), imageTensor("input", px), List.of());
        for (InferenceTask t : List.of(plain, named, view)) {
            assertNull(inputs.problem(t), t.getRequestId());
        }
        float[] in = inputs.fill(List.of(plain, named, view))[0];
        assertArrayEquals(px, Arrays.copyOfRange(in, 0, 784));
        assertArrayEquals(px, Arrays.copyOfRange(in, 784, 1568));
        float[] shifted = px.clone();
        InputViews.apply(2, shifted, 0);
        assertArrayEquals(shifted, Arrays.copyOfRange(in, 1568, 2352));

        String size = inputs.problem(task("d", "vgg", Tensors.fp32("input", new long[] {1, 784 / 2}, new float[392]), List.of()));
        assertTrue(size.contains("[1, 28, 28]"), size);
    }

    @Test
    void anAudioOnlyModelTakesItsAudioAsItsOneInput() throws Exception {
        Variant audioCnn = MULTI.variant("audio-cnn").orElseThrow();
        TaskInputs inputs = new TaskInputs(audioCnn, 2);
        InferenceTask t = task("a", "audio-cnn", audioTensor(audio(3)), List.of());
        assertNull(inputs.problem(t));
        assertTrue(inputs.problem(task("b", "audio-cnn", imageTensor("image", image(3)), List.of())).contains("[1, 40, 64]"));
        try (OnnxModel m = OnnxModel.load(audioCnn, DIR, Device.CPU, 1)) {
            float[] logits = m.run(inputs.fill(List.of(t)), 1);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession s = env.createSession(audioCnn.resolve(DIR).toString(), new OrtSession.SessionOptions());
                 OnnxTensor ta = OnnxTensor.createTensor(env, FloatBuffer.wrap(audio(3)), new long[] {1, 1, 40, 64});
                 OrtSession.Result r = s.run(Map.of("audio", ta))) {
                assertArrayEquals(((float[][]) r.get(0).getValue())[0], logits, 1e-4f);
            }
        }
    }
}
