package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpokenFashionMnistTest {
    @TempDir
    Path tmp;

    @Test
    void theTestSplitPairsEveryTestImageWithItsAudio() {
        Path dir = SpokenFashionMnist.defaultDir();
        assumeTrue(SpokenFashionMnist.available(dir, "test"), "spoken Fashion-MNIST cache absent from " + dir
                + ": regenerate it with '" + SpokenFashionMnist.REGENERATE + "'");
        FashionMnist images = FashionMnist.test();
        SpokenFashionMnist s = SpokenFashionMnist.test();
        assertEquals("test", s.split());
        assertEquals(images.size(), s.size());
        assertEquals(10_000, s.size());
        assertArrayEquals(images.labels(), s.labels(), "audio labels are the image labels");
        assertArrayEquals(images.images()[123], s.image(123));
        assertSame(s.image(5), s.modality("image", 5));
        float[] a = s.audio(9_999);
        assertEquals(SpokenFashionMnist.AUDIO_SAMPLE, a.length);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float x : a) {
            assertTrue(Float.isFinite(x));
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        assertTrue(min >= (float) Math.log(1e-6) - 1e-3 && max > min, "natural-log mel features: " + min + ".." + max);
        assertArrayEquals(a, s.modality("audio", 9_999));
    }

    @Test
    void readsLittleEndianSamplesInOrder() throws Exception {
        int n = 3;
        FashionMnist images = images(new int[] {7, 0, 9});
        writeCache(tmp, "test", n, new byte[] {7, 0, 9});
        SpokenFashionMnist s = SpokenFashionMnist.load(tmp, "test", images);
        assertEquals(3, s.size());
        for (int i = 0; i < n; i++) {
            float[] a = s.audio(i);
            assertEquals(i * 10_000f, a[0]);
            assertEquals(i * 10_000f + 2_559f, a[2_559]);
        }
        float[] dst = new float[SpokenFashionMnist.AUDIO_SAMPLE + 5];
        s.readAudio(2, dst, 5);
        assertEquals(20_000f, dst[5]);
        assertThrows(IllegalArgumentException.class, () -> s.modality("video", 0));
    }

    @Test
    void aMissingFileIsNamedWithTheCommandThatRegeneratesIt() throws Exception {
        writeCache(tmp, "test", 2, new byte[] {1, 2});
        Files.delete(tmp.resolve("test-audio-features.f32"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SpokenFashionMnist.load(tmp, "test", images(new int[] {1, 2})));
        assertTrue(e.getMessage().contains("test-audio-features.f32"), e.getMessage());
        assertTrue(e.getMessage().contains("make_spoken_fmnist.py"), e.getMessage());
        assertTrue(e.getMessage().contains("SLUICE_MULTIMODAL_DIR"), e.getMessage());
    }

    @Test
    void labelsOutOfStepWithTheImagesAreRefused() throws Exception {
        writeCache(tmp, "test", 2, new byte[] {1, 2});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SpokenFashionMnist.load(tmp, "test", images(new int[] {1, 3})));
        assertTrue(e.getMessage().contains("sample 1"), e.getMessage());
        IllegalStateException sizes = assertThrows(IllegalStateException.class,
                () -> SpokenFashionMnist.load(tmp, "test", images(new int[] {1, 2, 3})));
        assertTrue(sizes.getMessage().contains("2 samples"), sizes.getMessage());
    }

    @Test
    void aCacheGeneratedAtAnotherNoiseLevelThanTheModelsWereTrainedOnIsRefused() throws Exception {
        writeCache(tmp, "test", 2, new byte[] {1, 2});
        String header = Files.readString(tmp.resolve("features.json"));
        Files.writeString(tmp.resolve("features.json"), header.replace("{\"shape_per_sample\"",
                "{\"corruption\": {\"snr_db_uniform\": [-10.0, 12.0]}, \"shape_per_sample\""));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SpokenFashionMnist.load(tmp, "test", images(new int[] {1, 2})));
        assertTrue(e.getMessage().contains("[-10.0, 12.0]"), e.getMessage());
        assertTrue(e.getMessage().contains("make_spoken_fmnist.py"), e.getMessage());
        // the range the models were trained on loads
        Files.writeString(tmp.resolve("features.json"), header.replace("{\"shape_per_sample\"",
                "{\"corruption\": {\"snr_db_uniform\": [2.0, 20.0]}, \"shape_per_sample\""));
        assertEquals(2, SpokenFashionMnist.load(tmp, "test", images(new int[] {1, 2})).size());
    }

    private static FashionMnist images(int[] labels) {
        return new FashionMnist(new float[labels.length][784], labels);
    }

    /** A cache with {@code n} samples whose feature j of sample i is i * 10,000 + j. */
    private static void writeCache(Path dir, String split, int n, byte[] labels) throws Exception {
        Files.writeString(dir.resolve("features.json"), "{\"shape_per_sample\": [1, 40, 64], \"splits\": {\"" + split
                + "\": {\"count\": " + n + ", \"features\": \"" + split + "-audio-features.f32\"}}}");
        ByteBuffer b = ByteBuffer.allocate(n * SpokenFashionMnist.AUDIO_SAMPLE * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < SpokenFashionMnist.AUDIO_SAMPLE; j++) {
                b.putFloat(i * 10_000f + j);
            }
        }
        Files.write(dir.resolve(split + "-audio-features.f32"), b.array());
        Files.write(dir.resolve(split + "-labels.u8"), labels);
    }
}
