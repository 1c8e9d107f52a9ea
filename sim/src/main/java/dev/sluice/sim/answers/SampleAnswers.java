package dev.sluice.sim.answers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What each variant answers on each sample of a labelled set: its class probabilities (the
 * softmax the executor computes), with the true labels. The simulator answers request {@code i}
 * as the pipeline does, with sample {@code i mod samples} ({@code LoadRunner} sends the test
 * images in order): a member's label is the argmax, its confidence the argmax's probability, and
 * the production voters and cascade thresholds see those values, so an answer is right or wrong
 * to the image rather than by a coin weighted with the variant's accuracy.
 *
 * <p>Each variant carries a fingerprint of the model file it was computed from (its SHA-256), so
 * a cache can tell which answers are stale. File format: gzip of {@code "SLUICE-ANSWERS"},
 * version 1, samples, classes, the labels (int each), the variant count, then per variant its id,
 * fingerprint (UTF) and {@code samples x classes} floats, row-major.
 */
public final class SampleAnswers {
    private static final String MAGIC = "SLUICE-ANSWERS";
    private static final int VERSION = 1;

    private final int[] labels;
    private final int classes;
    private final Map<String, float[]> probabilities;
    private final Map<String, String> fingerprints;
    private final Map<String, byte[]> argmax = new LinkedHashMap<>();

    /**
     * @param labels the true label of each sample
     * @param classes probabilities per sample
     * @param probabilities by variant: {@code samples x classes}, row-major
     * @param fingerprints by variant: what the answers were computed from (a model file's SHA-256)
     */
    public SampleAnswers(int[] labels, int classes, Map<String, float[]> probabilities, Map<String, String> fingerprints) {
        if (labels.length == 0 || classes < 2 || classes > 127) {
            throw new IllegalArgumentException("need samples and 2..127 classes, got " + labels.length + " samples, "
                    + classes + " classes");
        }
        for (int l : labels) {
            if (l < 0 || l >= classes) {
                throw new IllegalArgumentException("label " + l + " outside 0.." + (classes - 1));
            }
        }
        this.labels = labels.clone();
        this.classes = classes;
        this.probabilities = new LinkedHashMap<>();
        this.fingerprints = new LinkedHashMap<>();
        probabilities.forEach((v, p) -> {
            if (p.length != labels.length * classes) {
                throw new IllegalArgumentException(v + ": " + p.length + " probabilities, expected " + labels.length + " x "
                        + classes);
            }
            this.probabilities.put(v, p);
            this.fingerprints.put(v, fingerprints.getOrDefault(v, ""));
            byte[] a = new byte[labels.length];
            for (int s = 0; s < labels.length; s++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (p[s * classes + c] > p[s * classes + best]) {
                        best = c;
                    }
                }
                a[s] = (byte) best;
            }
            argmax.put(v, a);
        });
    }

    public int samples() {
        return labels.length;
    }

    public int classes() {
        return classes;
    }

    /** The sample request {@code index} carries: the samples in turn. */
    public int sampleOf(long index) {
        return (int) Math.floorMod(index, (long) labels.length);
    }

    /** The true label of {@code sample}. */
    public int label(int sample) {
        return labels[sample];
    }

    public boolean has(String variant) {
        return probabilities.containsKey(variant);
    }

    public Set<String> variants() {
        return probabilities.keySet();
    }

    public String fingerprint(String variant) {
        return fingerprints.get(variant);
    }

    /** The variant's label on {@code sample}: the argmax of its probabilities (the lower class on a tie). */
    public int answer(String variant, int sample) {
        return argmax.get(variant)[sample];
    }

    /** The probability of its answer. */
    public float confidence(String variant, int sample) {
        return probabilities.get(variant)[sample * classes + answer(variant, sample)];
    }

    /** Its class probabilities on {@code sample}. */
    public List<Float> probabilities(String variant, int sample) {
        float[] p = probabilities.get(variant);
        Float[] out = new Float[classes];
        for (int c = 0; c < classes; c++) {
            out[c] = p[sample * classes + c];
        }
        return List.of(out);
    }

    /** Its share of right answers over the whole set. */
    public double accuracy(String variant) {
        byte[] a = argmax.get(variant);
        int right = 0;
        for (int s = 0; s < labels.length; s++) {
            right += a[s] == labels[s] ? 1 : 0;
        }
        return right / (double) labels.length;
    }

    /** Its share of right answers over the first {@code n} samples in turn (what a run of n requests sends). */
    public double accuracyOverFirst(String variant, long n) {
        byte[] a = argmax.get(variant);
        long right = 0;
        for (long i = 0; i < n; i++) {
            int s = sampleOf(i);
            right += a[s] == labels[s] ? 1 : 0;
        }
        return n == 0 ? Double.NaN : right / (double) n;
    }

    /** These answers with {@code other}'s added (other's win where both have a variant); labels must agree. */
    public SampleAnswers with(SampleAnswers other) {
        if (!Arrays.equals(labels, other.labels) || classes != other.classes) {
            throw new IllegalArgumentException("answers over different samples cannot be merged");
        }
        Map<String, float[]> p = new LinkedHashMap<>(probabilities);
        Map<String, String> f = new LinkedHashMap<>(fingerprints);
        p.putAll(other.probabilities);
        f.putAll(other.fingerprints);
        return new SampleAnswers(labels, classes, p, f);
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(os), 1 << 16))) {
                out.writeUTF(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(labels.length);
                out.writeInt(classes);
                for (int l : labels) {
                    out.writeInt(l);
                }
                out.writeInt(probabilities.size());
                for (var e : probabilities.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeUTF(fingerprints.get(e.getKey()));
                    for (float x : e.getValue()) {
                        out.writeFloat(x);
                    }
                }
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static SampleAnswers read(Path file) {
        try (InputStream is = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(is), 1 << 16))) {
            if (!MAGIC.equals(in.readUTF()) || in.readInt() != VERSION) {
                throw new IllegalArgumentException(file + ": not a version " + VERSION + " sample answers file");
            }
            int samples = in.readInt();
            int classes = in.readInt();
            int[] labels = new int[samples];
            for (int i = 0; i < samples; i++) {
                labels[i] = in.readInt();
            }
            int variants = in.readInt();
            Map<String, float[]> p = new LinkedHashMap<>();
            Map<String, String> f = new LinkedHashMap<>();
            for (int v = 0; v < variants; v++) {
                String id = in.readUTF();
                f.put(id, in.readUTF());
                float[] x = new float[samples * classes];
                for (int i = 0; i < x.length; i++) {
                    x[i] = in.readFloat();
                }
                p.put(id, x);
            }
            return new SampleAnswers(labels, classes, p, f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
