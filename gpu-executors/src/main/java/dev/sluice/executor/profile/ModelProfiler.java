package dev.sluice.executor.profile;

import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.Softmax;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledSet;
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
 * executor would use. Each model input is fed the test set's samples of its modality (images,
 * audio features, or both for a model with several inputs).
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

    /** Measures {@code v} on Fashion-MNIST images (an image variant). */
    public Measurement measure(Variant v, Path catalogDir, FashionMnist test, Consumer<String> progress) {
        return measure(v, catalogDir, LabelledSet.images(test), progress);
    }

    /**
     * Measures {@code v} on {@code test}: each model input is fed the modality it takes
     * ({@link LabelledSet#inputModalities}), for the accuracy and for the latency runs alike.
     */
    public Measurement measure(Variant v, Path catalogDir, LabelledSet test, Consumer<String> progress) {
        List<String> modalities = LabelledSet.inputModalities(v);
        int classes = v.output().sampleSize();
        try (OnnxModel model = OnnxModel.load(v, catalogDir, device, threads)) {
            int[] score = v.isClassifier() ? new int[] {accuracy(model, test, modalities, classes), test.size()}
                    : centroidAccuracy(model, test, modalities, classes);
            int correct = score[0];
            double acc = correct / (double) score[1];
            progress.accept(String.format("%-10s accuracy %.4f (%d/%d%s) on %s, inputs %s, %s", v.id(), acc, correct, score[1],
                    v.isClassifier() ? "" : ", nearest class centroid of its output", model.device(), modalities,
                    test.description()));
            List<LatencyPoint> points = new ArrayList<>();
            for (int b : batches) {
                if (b > Math.max(v.batching().maxBatch(), 64)) {
                    continue;
                }
                LatencyPoint p = latency(model, test, modalities, b);
                points.add(p);
                progress.accept(String.format("%-10s batch %3d  p50 %8.3f ms  p95 %8.3f ms  p99 %8.3f ms", v.id(), b,
                        p.p50Ms(), p.p95Ms(), p.p99Ms()));
            }
            LatencyProfile profile = new LatencyProfile(model.device(), threads, Instant.now().toString(), points);
            return new Measurement(v.withMeasurements(round(acc, 4), profile), acc, correct, score[1], profile);
        }
    }

    /** Samples {@code first .. first + n} (modulo the set's size) of each input's modality, back to back. */
    static float[][] inputs(OnnxModel model, LabelledSet data, List<String> modalities, int first, int n, float[][] reuse) {
        float[][] in = reuse != null ? reuse : new float[modalities.size()][];
        for (int k = 0; k < modalities.size(); k++) {
            int sample = model.sampleSize(k);
            if (in[k] == null || in[k].length < n * sample) {
                in[k] = new float[n * sample];
            }
            for (int i = 0; i < n; i++) {
                float[] x = data.sample(modalities.get(k), (first + i) % data.size());
                if (x.length != sample) {
                    throw new IllegalArgumentException("'" + modalities.get(k) + "' samples hold " + x.length
                            + " values; the model's input " + k + " takes " + sample);
                }
                System.arraycopy(x, 0, in[k], i * sample, sample);
            }
        }
        return in;
    }

    private static int accuracy(OnnxModel model, LabelledSet test, List<String> modalities, int classes) {
        int batch = 256;
        float[][] in = null;
        int correct = 0;
        for (int start = 0; start < test.size(); start += batch) {
            int n = Math.min(batch, test.size() - start);
            in = inputs(model, test, modalities, start, n, in);
            float[] logits = model.run(in, n);
            for (int i = 0; i < n; i++) {
                if (Softmax.argmax(logits, i * classes, classes) == test.label(start + i)) {
                    correct++;
                }
            }
        }
        return correct;
    }

    /**
     * The quality of a model whose output is not class scores (an embedding): nearest class
     * centroid on the labelled set, by cosine, of the first output's {@code dims} values a sample.
     * The centroids are the mean outputs of each class over the even-indexed samples; the odd-indexed
     * ones are scored (as models/scripts/train_embedding.py does). Returns {correct, scored}.
     */
    static int[] centroidAccuracy(OnnxModel model, LabelledSet test, List<String> modalities, int dims) {
        float[] all = new float[test.size() * dims];
        int batch = 256;
        float[][] in = null;
        for (int start = 0; start < test.size(); start += batch) {
            int n = Math.min(batch, test.size() - start);
            in = inputs(model, test, modalities, start, n, in);
            System.arraycopy(model.run(in, n), 0, all, start * dims, n * dims);
        }
        int classes = 0;
        for (int i = 0; i < test.size(); i++) {
            classes = Math.max(classes, test.label(i) + 1);
        }
        double[][] centroid = new double[classes][dims];
        for (int i = 0; i < test.size(); i += 2) {
            for (int d = 0; d < dims; d++) {
                centroid[test.label(i)][d] += all[i * dims + d];
            }
        }
        for (double[] c : centroid) {
            double norm = Math.sqrt(java.util.Arrays.stream(c).map(x -> x * x).sum());
            for (int d = 0; d < dims && norm > 0; d++) {
                c[d] /= norm;
            }
        }
        int correct = 0;
        int scored = 0;
        for (int i = 1; i < test.size(); i += 2, scored++) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double s = 0;
                for (int d = 0; d < dims; d++) {
                    s += all[i * dims + d] * centroid[k][d];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = k;
                }
            }
            if (best == test.label(i)) {
                correct++;
            }
        }
        return new int[] {correct, scored};
    }

    private LatencyPoint latency(OnnxModel model, LabelledSet test, List<String> modalities, int batch) {
        float[][] in = inputs(model, test, modalities, 0, batch, null);
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
