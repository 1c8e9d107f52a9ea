package dev.sluice.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import dev.sluice.models.TensorSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed models/linear.onnx (Fashion-MNIST, [N,1,28,28] -> [N,10]) on ONNX Runtime. */
class OnnxModelTest {
    static final Path LINEAR = Path.of("../models/linear.onnx");

    /** A stripe pattern in [0,1]; different seeds give different images. */
    static float[] image(int seed) {
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = ((i * (seed + 3) + seed * 31) % 256) / 255f;
        }
        return px;
    }

    private static float[] row(float[] out, int i) {
        return Arrays.copyOfRange(out, i * 10, (i + 1) * 10);
    }

    private static float[] concat(float[]... images) {
        float[] all = new float[images.length * 784];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(images[i], 0, all, i * 784, 784);
        }
        return all;
    }

    @Test
    void runTensorsReturnsEveryOutputAsTheModelGaveItAndSplitsItPerSample() {
        try (OnnxModel m = OnnxModel.load(LINEAR, Device.CPU, 1, 784, 10)) {
            float[] both = concat(image(1), image(2));
            float[] logits = m.run(both, 2);
            List<BatchOutput> out = m.runTensors(new float[][] {both}, 2);
            assertEquals(1, out.size());
            BatchOutput b = out.get(0);
            assertEquals("logits", b.name());
            assertEquals("FP32", b.datatype());
            assertArrayEquals(new long[] {2, 10}, b.shape());
            for (int i = 0; i < 2; i++) {
                dev.sluice.decision.vote.OutputTensor s = b.sample(i, 2);
                assertEquals(List.of(1L, 10L), s.shape());
                java.nio.ByteBuffer bytes = s.buffer();
                for (int c = 0; c < 10; c++) {
                    assertEquals(logits[i * 10 + c], bytes.getFloat(c * 4), "little-endian, row " + i);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.sample(0, 3));
            assertTrue(e.getMessage().contains("no batch axis of 3"), e.getMessage());
        }
    }

    @Test
    void runsABatchOfZeroImages() {
        try (OnnxModel m = OnnxModel.load(LINEAR, Device.CPU, 1, 784, 10)) {
            assertEquals("cpu", m.device());
            assertEquals(784, m.sampleSize());
            float[] out = m.run(new float[3 * 784], 3);
            assertEquals(30, out.length);
            assertArrayEquals(row(out, 0), row(out, 1));
            assertArrayEquals(row(out, 0), row(out, 2));
            for (float x : out) {
                assertTrue(Float.isFinite(x));
            }
        }
    }

    @Test
    void rowsFollowTheirOwnInputs() {
        float[] a = image(1);
        float[] b = image(2);
        try (OnnxModel m = OnnxModel.load(LINEAR, Device.CPU, 1, 784, 10)) {
            float[] out = m.run(concat(a, b, a), 3);
            assertEquals(30, out.length);
            assertArrayEquals(row(out, 0), row(out, 2), "identical inputs, identical rows");
            assertFalse(Arrays.equals(row(out, 0), row(out, 1)), "different inputs, different rows");
            assertFalse(Arrays.equals(row(out, 0), row(m.run(new float[784], 1), 0)), "not the zero-image logits");
            // batching does not change a sample's answer
            float[] alone = m.run(b, 1);
            assertEquals(10, alone.length);
            assertArrayEquals(alone, row(m.run(concat(a, b, a), 3), 1), 1e-4f);
        }
    }

    @Test
    void reusesItsInputBufferAcrossBatchSizes() {
        try (OnnxModel m = OnnxModel.load(LINEAR, Device.CPU, 1, 784, 10)) {
            float[] big = m.run(concat(image(5), image(6), image(7), image(8)), 4);
            float[] small = m.run(image(7), 1);
            assertArrayEquals(row(big, 2), small, 1e-4f);
        }
    }

    @Test
    void autoFallsBackToCpuWithoutCuda() {
        try (OnnxModel m = OnnxModel.load(LINEAR, Device.AUTO, 1, 784, 10)) {
            assumeTrue(m.device().equals("cpu"), "CUDA is available here; nothing falls back");
            assertEquals("cpu", m.device());
            assertEquals(20, m.run(new float[2 * 784], 2).length);
        }
    }

    @Test
    void cudaIsFatalWhereItIsUnavailable() {
        String auto;
        try (OnnxModel m = OnnxModel.load(LINEAR, Device.AUTO, 1, 784, 10)) {
            auto = m.device();
        }
        assumeTrue(auto.equals("cpu"), "CUDA is available here");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OnnxModel.load(LINEAR, Device.CUDA, 1, 784, 10));
        assertTrue(e.getMessage().contains("CUDA requested but unavailable"), e.getMessage());
    }

    @Test
    void missingFileIsAnErrorNamingThePath() {
        Path missing = Path.of("../models/no-such-model.onnx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxModel.load(missing, Device.CPU, 1, 784, 10));
        assertTrue(e.getMessage().contains("no-such-model.onnx"), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void deviceParsesCaseInsensitively() {
        assertEquals(Device.AUTO, Device.parse("auto"));
        assertEquals(Device.CPU, Device.parse("CPU"));
        assertEquals(Device.CUDA, Device.parse("Cuda"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertTrue(e.getMessage().contains("tpu"), e.getMessage());
    }
    @Test
    void aModelWithTwoInputsRunsOneArrayPerInput() {
        Path fusion = Path.of("../models/fusion-lite.onnx");
        List<TensorSpec> inputs = List.of(new TensorSpec("image", "FP32", List.of(-1L, 1L, 28L, 28L)),
                new TensorSpec("audio", "FP32", List.of(-1L, 1L, 40L, 64L)));
        try (OnnxModel m = OnnxModel.load(fusion, Device.CPU, 1, inputs, 10)) {
            assertEquals(2, m.inputCount());
            assertEquals(784, m.sampleSize(0));
            assertEquals(2560, m.sampleSize(1));
            m.warmUp(4);
            float[] audio = new float[2 * 2560];
            Arrays.fill(audio, -3f);
            float[] both = m.run(new float[][] {concat(image(1), image(2)), audio}, 2);
            assertEquals(20, both.length);
            assertFalse(Arrays.equals(row(both, 0), row(both, 1)), "different images, different rows");
            float[] second = m.run(new float[][] {image(2), Arrays.copyOf(audio, 2560)}, 1);
            assertArrayEquals(row(both, 1), second, 1e-4f);
            IllegalStateException one = assertThrows(IllegalStateException.class, () -> m.run(image(1), 1));
            assertTrue(one.getMessage().contains("2 inputs"), one.getMessage());
        }
    }

    @Test
    void inputsThatAreNotTheModelsFailTheLoad() {
        Path fusion = Path.of("../models/fusion-lite.onnx");
        List<TensorSpec> wrongName = List.of(new TensorSpec("image", "FP32", List.of(-1L, 1L, 28L, 28L)),
                new TensorSpec("speech", "FP32", List.of(-1L, 1L, 40L, 64L)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxModel.load(fusion, Device.CPU, 1, wrongName, 10));
        assertTrue(e.getMessage().contains("no input 'speech'"), e.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> OnnxModel.load(fusion, Device.CPU, 1, 784, 10));
        assertTrue(one.getMessage().contains("takes 2 inputs"), one.getMessage());
    }
}
