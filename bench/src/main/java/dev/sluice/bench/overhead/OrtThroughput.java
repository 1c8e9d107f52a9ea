package dev.sluice.bench.overhead;

import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import java.nio.file.Path;

/**
 * Raw ONNX Runtime throughput of one variant: full batches of its maximum batch size run back
 * to back on one session (the executor's session options and thread count), no Kafka, no
 * batcher. What the executor could at best serve.
 */
public final class OrtThroughput {
    /** Samples per second, with the batch it ran and the device it ran on. */
    public record Result(String variant, String device, int threads, int batch, long batches, double seconds, double rps) {
        /** The mean time of one batch (ms). */
        public double msPerBatch() {
            return seconds * 1000 / batches;
        }
    }

    private OrtThroughput() {}

    public static Result measure(Variant v, Path catalogDir, Device device, int threads, FashionMnist data, double warmupS,
            double seconds) {
        int batch = v.batching().maxBatch();
        int sample = v.input().sampleSize();
        try (OnnxModel model = OnnxModel.load(v.resolve(catalogDir), device, threads, sample, v.output().sampleSize())) {
            float[] in = new float[batch * sample];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(data.images()[i % data.size()], 0, in, i * sample, sample);
            }
            long warmUntil = System.nanoTime() + (long) (warmupS * 1e9);
            while (System.nanoTime() < warmUntil) {
                model.run(in, batch);
            }
            long n = 0;
            long start = System.nanoTime();
            long until = start + (long) (seconds * 1e9);
            long now;
            do {
                model.run(in, batch);
                n++;
            } while ((now = System.nanoTime()) < until);
            double elapsed = (now - start) / 1e9;
            return new Result(v.id(), model.device(), threads, batch, n, elapsed, n * batch / elapsed);
        }
    }
}
