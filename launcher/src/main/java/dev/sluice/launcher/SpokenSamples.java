package dev.sluice.launcher;

import dev.sluice.avro.Tensor;
import dev.sluice.bench.multimodal.MultimodalBenchmark;
import dev.sluice.ingest.load.LabelledInputs;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The spoken Fashion-MNIST test split (models/scripts/multimodal/README.md): test image i with
 * its audio features, as the benchmarks' samples. Whole requests carry both modalities.
 */
final class SpokenSamples implements LabelledInputs, MultimodalBenchmark.Samples {
    static final int AUDIO_FLOATS = 40 * 64;

    private final FashionMnist images;
    private final FloatBuffer audio;

    private SpokenSamples(FashionMnist images, FloatBuffer audio) {
        this.images = images;
        this.audio = audio;
    }

    static Path cacheDir() {
        String env = System.getenv("SLUICE_MULTIMODAL_DIR");
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "sluice", "multimodal");
    }

    static SpokenSamples test() {
        Path f = cacheDir().resolve("test-audio-features.f32");
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("no spoken Fashion-MNIST features at " + f + "; generate them with "
                    + "/usr/bin/python3 models/scripts/multimodal/make_spoken_fmnist.py (see models/scripts/multimodal/README.md)");
        }
        FashionMnist images = FashionMnist.test();
        try {
            byte[] bytes = Files.readAllBytes(f);
            FloatBuffer audio = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            if (audio.limit() != images.size() * AUDIO_FLOATS) {
                throw new IllegalStateException(f + " holds " + audio.limit() / AUDIO_FLOATS + " samples, the test images "
                        + images.size());
            }
            return new SpokenSamples(images, audio);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public int label(int i) {
        return images.labels()[i];
    }

    @Override
    public float[] image(int i) {
        return images.images()[i];
    }

    @Override
    public float[] audio(int i) {
        float[] out = new float[AUDIO_FLOATS];
        audio.get(i * AUDIO_FLOATS, out);
        return out;
    }

    @Override
    public List<String> modalities() {
        return List.of("image", "audio");
    }

    @Override
    public List<Tensor> tensors(int i) {
        return List.of(Tensors.fp32("image", new long[] {1, 1, 28, 28}, image(i)),
                Tensors.fp32("audio", new long[] {1, 1, 40, 64}, audio(i)));
    }
}
