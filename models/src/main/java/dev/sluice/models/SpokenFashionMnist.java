package dev.sluice.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Spoken Fashion-MNIST (models/scripts/multimodal/README.md): one split of the log-mel features of
 * a spoken description of each image's class, [1, 40, 64] float32 per sample, paired with the
 * matching Fashion-MNIST images. Read from the cache written by make_spoken_fmnist.py
 * ({@code ~/.cache/sluice/multimodal-v3}, or {@code SLUICE_MULTIMODAL_DIR}): {@code features.json},
 * {@code {split}-audio-features.f32} (little-endian, row-major, no header) and
 * {@code {split}-labels.u8}. Sample {@code i} of {@code test} belongs to test image {@code i}; of
 * {@code validation}, to the training image on line {@code i} of validation-indices.txt.
 *
 * <p>The features are held on the heap (the test split is 100 MB of floats).
 */
public final class SpokenFashionMnist {
    public static final String TASK = "fashion-mnist-spoken";
    /** Shape of one sample's audio features (channel, mel band, frame). */
    public static final long[] AUDIO_SHAPE = {1, 40, 64};
    public static final int AUDIO_SAMPLE = 40 * 64;
    public static final long[] IMAGE_SHAPE = {1, 28, 28};
    public static final int IMAGE_SAMPLE = 28 * 28;
    public static final String REGENERATE = "/usr/bin/python3 models/scripts/multimodal/make_spoken_fmnist.py";

    private final String split;
    private final FashionMnist images;
    private final float[] audio; // [size, 2560]

    private SpokenFashionMnist(String split, FashionMnist images, float[] audio) {
        this.split = split;
        this.images = images;
        this.audio = audio;
    }

    /**
     * The speech-to-noise range (dB) the committed audio models were trained on; a cache drawn from
     * another range would be served by models that never saw its noise, so it is refused.
     */
    public static final double[] TRAINED_SNR_DB = {2.0, 20.0};

    /** The cache directory: SLUICE_MULTIMODAL_DIR, else ~/.cache/sluice/multimodal-v3 (v3: generated at {@link #TRAINED_SNR_DB}). */
    public static Path defaultDir() {
        String env = System.getenv("SLUICE_MULTIMODAL_DIR");
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "sluice", "multimodal-v3");
    }

    /** The test split, paired with {@link FashionMnist#test()}. */
    public static SpokenFashionMnist test() {
        return load(defaultDir(), "test", FashionMnist.test());
    }

    /** The validation split, paired with {@link FashionMnist#validation(Path)} of the same indices file. */
    public static SpokenFashionMnist validation(Path indicesFile) {
        return load(defaultDir(), "validation", FashionMnist.validation(indicesFile));
    }

    /** Whether {@code dir} holds the header, features and labels of {@code split}. */
    public static boolean available(Path dir, String split) {
        return Files.isRegularFile(dir.resolve("features.json")) && Files.isRegularFile(featuresFile(dir, split))
                && Files.isRegularFile(labelsFile(dir, split));
    }

    public static Path featuresFile(Path dir, String split) {
        return dir.resolve(split + "-audio-features.f32");
    }

    public static Path labelsFile(Path dir, String split) {
        return dir.resolve(split + "-labels.u8");
    }

    /**
     * Loads {@code split} from {@code dir} and pairs it with {@code images} (the same samples in the
     * same order). Fails naming the missing file and how to regenerate it; fails too when the
     * sizes or labels disagree with the images (a cache out of step with the image set).
     */
    public static SpokenFashionMnist load(Path dir, String split, FashionMnist images) {
        Path header = dir.resolve("features.json");
        Path features = featuresFile(dir, split);
        Path labels = labelsFile(dir, split);
        for (Path p : new Path[] {header, features, labels}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException("spoken Fashion-MNIST " + split + " split not found: " + p.toAbsolutePath()
                        + " is missing; regenerate the cache with '" + REGENERATE + "'"
                        + " (see models/scripts/multimodal/README.md) or point SLUICE_MULTIMODAL_DIR at a directory holding it");
            }
        }
        try {
            int count = checkHeader(header, split);
            byte[] lab = Files.readAllBytes(labels);
            if (lab.length != count) {
                throw new IllegalStateException(labels + " holds " + lab.length + " labels; features.json says " + count);
            }
            long bytes = Files.size(features);
            if (bytes != (long) count * AUDIO_SAMPLE * 4) {
                throw new IllegalStateException(features + " holds " + bytes + " bytes; " + count + " samples of [1,40,64] float32 need "
                        + (long) count * AUDIO_SAMPLE * 4);
            }
            if (count != images.size()) {
                throw new IllegalStateException("spoken " + split + " split has " + count + " samples, its images "
                        + images.size() + "; regenerate the cache with '" + REGENERATE + "'");
            }
            for (int i = 0; i < count; i++) {
                if ((lab[i] & 0xff) != images.labels()[i]) {
                    throw new IllegalStateException("spoken " + split + " sample " + i + " has label " + (lab[i] & 0xff)
                            + ", its image " + images.labels()[i] + ": the cache is out of step with the image set;"
                            + " regenerate it with '" + REGENERATE + "'");
                }
            }
            return new SpokenFashionMnist(split, images, readFloats(features, count * AUDIO_SAMPLE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read spoken Fashion-MNIST from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The split's sample count from features.json, after checking the per-sample shape. */
    private static int checkHeader(Path header, String split) throws IOException {
        JsonNode root = new ObjectMapper().readTree(header.toFile());
        JsonNode shape = root.path("shape_per_sample");
        if (shape.isArray()) {
            long[] s = new long[shape.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = shape.get(i).asLong();
            }
            if (!Arrays.equals(s, AUDIO_SHAPE)) {
                throw new IllegalStateException(header + ": shape_per_sample " + Arrays.toString(s) + ", expected "
                        + Arrays.toString(AUDIO_SHAPE));
            }
        }
        JsonNode snr = root.path("corruption").path("snr_db_uniform");
        if (snr.isArray() && snr.size() == 2
                && (snr.get(0).asDouble() != TRAINED_SNR_DB[0] || snr.get(1).asDouble() != TRAINED_SNR_DB[1])) {
            throw new IllegalStateException(header + " was generated with SNR uniform in [" + snr.get(0).asDouble() + ", "
                    + snr.get(1).asDouble() + "] dB; the committed models were trained on " + Arrays.toString(TRAINED_SNR_DB)
                    + " dB: regenerate the cache with '" + REGENERATE + "' (an older cache, e.g. ~/.cache/sluice/multimodal,"
                    + " is from before that)");
        }
        JsonNode count = root.path("splits").path(split).path("count");
        if (!count.isInt()) {
            throw new IllegalStateException(header + " lists no sample count for split '" + split + "'");
        }
        return count.asInt();
    }

    private static float[] readFloats(Path file, int n) throws IOException {
        float[] out = new float[n];
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        int filled = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (filled < n) {
                buf.clear();
                buf.limit(Math.min(buf.capacity(), (n - filled) * 4));
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) {
                        throw new IOException(file + ": ends after " + filled + " floats of " + n);
                    }
                }
                buf.flip();
                FloatBuffer f = buf.asFloatBuffer();
                int k = f.remaining();
                f.get(out, filled, k);
                filled += k;
            }
        }
        return out;
    }

    public String split() {
        return split;
    }

    public int size() {
        return images.size();
    }

    /** The paired images (pixels in [0,1], 784 a sample). */
    public FashionMnist images() {
        return images;
    }

    public int[] labels() {
        return images.labels();
    }

    public int label(int i) {
        return images.labels()[i];
    }

    public float[] image(int i) {
        return images.images()[i];
    }

    /** A copy of sample {@code i}'s audio features, 2,560 floats row-major [1, 40, 64]. */
    public float[] audio(int i) {
        float[] out = new float[AUDIO_SAMPLE];
        readAudio(i, out, 0);
        return out;
    }

    /** Copies sample {@code i}'s audio features into {@code dst} at {@code offset}. */
    public void readAudio(int i, float[] dst, int offset) {
        System.arraycopy(audio, Math.multiplyExact(i, AUDIO_SAMPLE), dst, offset, AUDIO_SAMPLE);
    }

    /**
     * Sample {@code i} of one modality, flat: {@code image} (784 floats) or {@code audio} (2,560).
     * The array may be shared: do not write to it.
     */
    public float[] modality(String modality, int i) {
        return switch (modality) {
            case "image" -> image(i);
            case "audio" -> audio(i);
            default -> throw new IllegalArgumentException("spoken Fashion-MNIST has no modality '" + modality
                    + "' (it has image and audio)");
        };
    }
}
