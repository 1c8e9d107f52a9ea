package dev.sluice.ingest.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Tensor;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.SpokenFashionMnist;
import dev.sluice.schemas.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultimodalRequestsTest {
    private static final long NOW = 1_764_000_000_000L;

    @TempDir
    Path tmp;
    private SpokenFashionMnist data;

    /** Three samples: image i filled with i / 10, audio i with -i - feature / 10,000, labels 4, 7, 1. */
    @BeforeEach
    void cache() throws Exception {
        int n = 3;
        float[][] images = new float[n][784];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(images[i], i / 10f);
        }
        Files.writeString(tmp.resolve("features.json"),
                "{\"shape_per_sample\": [1, 40, 64], \"splits\": {\"test\": {\"count\": " + n + "}}}");
        ByteBuffer b = ByteBuffer.allocate(n * 2560 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 2560; j++) {
                b.putFloat(-i - j / 10_000f);
            }
        }
        Files.write(tmp.resolve("test-audio-features.f32"), b.array());
        Files.write(tmp.resolve("test-labels.u8"), new byte[] {4, 7, 1});
        data = SpokenFashionMnist.load(tmp, "test", new FashionMnist(images, new int[] {4, 7, 1}));
    }

    private static MultimodalRequests builder() {
        return new MultimodalRequests(MultimodalRequests.Options.defaults().withDeadlineMs(250).withMinAccuracy(0.9)
                .withPolicy("mosel").withFinalOnly(false).withPriority(2).withParameters(Map.of("trace", "on")));
    }

    private static void assertHeader(InferenceRequest r, String id) {
        assertEquals(id, r.getId());
        assertEquals("fashion-mnist-spoken", r.getTask());
        assertEquals(NOW, r.getCreatedAtMs());
        assertEquals(NOW + 250, r.getDeadlineMs());
        assertEquals(0.9, r.getMinAccuracy());
        assertEquals("mosel", r.getPolicy());
        assertEquals(false, r.getFinalOnly());
        assertEquals(2, r.getPriority());
        assertEquals("default", r.getTenant());
        assertEquals(Map.of("trace", "on"), r.getParameters());
        // a valid record of the schema: it round-trips through Avro
        try {
            assertEquals(r, InferenceRequest.fromByteBuffer(r.toByteBuffer()));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private void assertImage(Tensor t, int i) {
        assertEquals("image", t.getName());
        assertEquals("FP32", t.getDatatype());
        assertEquals(List.of(1L, 1L, 28L, 28L), t.getShape());
        assertArrayEquals(data.image(i), Tensors.readFp32(t));
    }

    private void assertAudio(Tensor t, int i) {
        assertEquals("audio", t.getName());
        assertEquals("FP32", t.getDatatype());
        assertEquals(List.of(1L, 1L, 40L, 64L), t.getShape());
        assertArrayEquals(data.audio(i), Tensors.readFp32(t));
        assertEquals(-i - 2559 / 10_000f, Tensors.readFp32(t)[2559]);
    }

    @Test
    void aWholeRequestCarriesBothModalities() {
        InferenceRequest r = builder().whole("r-2", data, 2, NOW);
        assertHeader(r, "r-2");
        assertEquals(List.of("image", "audio"), r.getModalities());
        assertEquals(0, r.getPartIndex());
        assertEquals(1, r.getPartCount());
        assertEquals(2, r.getInputs().size());
        assertImage(r.getInputs().get(0), 2);
        assertAudio(r.getInputs().get(1), 2);
    }

    @Test
    void theSameRequestInTwoPartsSharesItsIdAndHeader() {
        List<InferenceRequest> parts = builder().parts("r-1", data, 1, NOW);
        assertEquals(2, parts.size());
        for (int p = 0; p < 2; p++) {
            InferenceRequest r = parts.get(p);
            assertHeader(r, "r-1");
            assertEquals(p, r.getPartIndex());
            assertEquals(2, r.getPartCount());
            assertEquals(1, r.getInputs().size());
        }
        assertEquals(List.of("image"), parts.get(0).getModalities());
        assertImage(parts.get(0).getInputs().get(0), 1);
        assertEquals(List.of("audio"), parts.get(1).getModalities());
        assertAudio(parts.get(1).getInputs().get(0), 1);
    }

    @Test
    void oneModalityAlone() {
        InferenceRequest img = builder().imageOnly("i", data, 0, NOW);
        assertHeader(img, "i");
        assertEquals(List.of("image"), img.getModalities());
        assertEquals(1, img.getPartCount());
        assertImage(img.getInputs().get(0), 0);
        InferenceRequest au = builder().audioOnly("a", data, 2, NOW);
        assertHeader(au, "a");
        assertEquals(List.of("audio"), au.getModalities());
        assertEquals(1, au.getInputs().size());
        assertAudio(au.getInputs().get(0), 2);
    }

    @Test
    void defaultsAndBadOptions() {
        MultimodalRequests.Options d = MultimodalRequests.Options.defaults();
        InferenceRequest r = new MultimodalRequests(d).whole("d", data, 0, NOW);
        assertEquals(NOW + d.deadlineMs(), r.getDeadlineMs());
        assertEquals(0.0, r.getMinAccuracy());
        assertNull(r.getPolicy());
        assertTrue(r.getFinalOnly());
        assertEquals(Map.of(), r.getParameters());
        assertThrows(IllegalArgumentException.class, () -> d.withDeadlineMs(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMinAccuracy(1.5));
    }
}
