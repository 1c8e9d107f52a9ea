package dev.sluice.executor.profile;

import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.Softmax;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Measures a variant on this machine: accuracy of the Java runtime on the labelled test set,
 * and p50/p95/p99 latency of one model run per batch size (after a warm-up), on the device the
 * executor would use.
 */
public final class ModelProfiler {
    public static final int[] DEFAULT_BATCHES = {1, 2, 4, 8, 16, 32, 64};

    /** What one variant measured, including how many test samples agreed. */
    public record Measurement(Variant variant, double accuracy, int correct, int total, LatencyProfile profile) {}

    private final Device device;
    private final int threads;
    private final int[] batches;
    private final double secondsPerBatchSize;

    public ModelProfiler(Device device, int threads, int[] batches, double secondsPerBatchSize) {
        this.device = device;
        this.threads = threads;
        this.batches = batches.clone();
        this.secondsPerBatchSize = secondsPerBatchSize;
    }

    public Measurement measure(Variant v, Path catalogDir, FashionMnist test, Consumer<String> progress) {
        int sample = v.input().sampleSize();
        int classes = v.output().sampleSize();
        try (OnnxModel model = OnnxModel.load(v.resolve(catalogDir), device, threads, sample, classes)) {
            int correct = accuracy(model, test, sample, classes);
            double acc = correct / (double) test.size();
            progress.accept(String.format("%-10s accuracy %.4f (%d/%d) on %s", v.id(), acc, correct, test.size(), model.device()));
            List<LatencyPoint> points = new ArrayList<>();
            for (int b : batches) {
                if (b > Math.max(v.batching().maxBatch(), 64)) {
                    continue;
                }
                LatencyPoint p = latency(model, test, b, sample);
                points.add(p);
                progress.accept(String.format("%-10s batch %3d  p50 %8.3f ms  p95 %8.3f ms  p99 %8.3f ms", v.id(), b,
                        p.p50Ms(), p.p95Ms(), p.p99Ms()));
            }
            LatencyProfile profile = new LatencyProfile(model.device(), threads, Instant.now().toString(), points);
            return new Measurement(v.withMeasurements(round(acc, 4), profile), acc, correct, test.size(), profile);
        }
    }

    private static int accuracy(OnnxModel model, FashionMnist test, int sample, int classes) {
        int batch = 256;
        float[] in = new float[batch * sample];
        int correct = 0;
        for (int start = 0; start < test.size(); start += batch) {
            int n = Math.min(batch, test.size() - start);
            for (int i = 0; i < n; i++) {
                System.arraycopy(test.images()[start + i], 0, in, i * sample, sample);
            }
            float[] logits = model.run(in, n);
            for (int i = 0; i < n; i++) {
                if (Softmax.argmax(logits, i * classes, classes) == test.labels()[start + i]) {
                    correct++;
                }
            }
        }
        return correct;
    }

    private LatencyPoint latency(OnnxModel model, FashionMnist test, int batch, int sample) {
        float[] in = new float[batch * sample];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(test.images()[i % test.size()], 0, in, i * sample, sample);
        }
        for (int i = 0; i < 20; i++) {
            model.run(in, batch);
        }
        List<Double> ms = new ArrayList<>();
        long until = System.nanoTime() + (long) (secondsPerBatchSize * 1e9);
        while (ms.size() < 50 || (System.nanoTime() < until && ms.size() < 5000)) {
            long t0 = System.nanoTime();
            model.run(in, batch);
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new LatencyPoint(batch, round(pct(sorted, 0.50), 4), round(pct(sorted, 0.95), 4), round(pct(sorted, 0.99), 4));
    }

    static double pct(double[] sorted, double q) {
        return dev.sluice.common.Percentiles.of(sorted, q);
    }

    private static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }

    @Override
    public String toString() {
        return "ModelProfiler" + Arrays.toString(batches);
    }
}
