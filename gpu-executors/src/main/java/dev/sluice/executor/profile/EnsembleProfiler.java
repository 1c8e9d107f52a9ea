package dev.sluice.executor.profile;

import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.Softmax;
import dev.sluice.models.Ensemble;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledSet;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures ensembles offline (Cocktail's profile): runs every variant once over a labelled set
 * (the validation split), keeps each sample's class probabilities, then scores every member
 * subset of size {@code minMembers..maxMembers} under each voting rule in pure code. The rules
 * decide exactly as the aggregator's voters do on the executors' outputs (label = argmax of the
 * softmax, confidence = its probability):
 * <ul>
 *   <li>MAJORITY: most votes; a tie goes to the higher summed confidence, then the lower label;</li>
 *   <li>PROBABILITY_AVERAGE: argmax of the summed probability vectors, the lower label on a tie.</li>
 * </ul>
 * WEIGHTED_MAJORITY learns its weights online, so it has no offline figure here.
 */
public final class EnsembleProfiler {
    public static final int MIN_MEMBERS = 2;
    public static final int MAX_MEMBERS = 4;
    public static final List<String> VOTES = List.of("MAJORITY", "PROBABILITY_AVERAGE");

    /** One variant's outputs on a data set: class probabilities, row-major {@code samples x classes}. */
    public record MemberOutputs(String variant, int classes, float[] probabilities) {
        public MemberOutputs {
            if (classes < 1 || probabilities.length % classes != 0) {
                throw new IllegalArgumentException(variant + ": " + probabilities.length + " probabilities for "
                        + classes + " classes");
            }
        }

        public int samples() {
            return probabilities.length / classes;
        }

        public int label(int sample) {
            return Softmax.argmax(probabilities, sample * classes, classes);
        }

        public float confidence(int sample) {
            return probabilities[sample * classes + label(sample)];
        }

        public double accuracy(int[] labels) {
            int correct = 0;
            for (int i = 0; i < labels.length; i++) {
                correct += label(i) == labels[i] ? 1 : 0;
            }
            return correct / (double) labels.length;
        }
    }

    private final Device device;
    private final int threads;

    public EnsembleProfiler(Device device, int threads) {
        this.device = device;
        this.threads = threads;
    }

    /** Runs each variant once over {@code data} and keeps its probabilities, in the order given. */
    public Map<String, MemberOutputs> run(List<Variant> variants, Path catalogDir, FashionMnist data,
            Consumer<String> progress) {
        Map<String, MemberOutputs> out = new LinkedHashMap<>();
        for (Variant v : variants) {
            if (v.isMultiInput() || !LabelledSet.inputModalities(v).equals(List.of("image"))) {
                throw new IllegalArgumentException("ensembles are measured on Fashion-MNIST images; " + v.id()
                        + " takes " + LabelledSet.inputModalities(v));
            }
            int sample = v.input().sampleSize();
            int classes = v.output().sampleSize();
            try (OnnxModel model = OnnxModel.load(v, catalogDir, device, threads)) {
                MemberOutputs m = new MemberOutputs(v.id(), classes, probabilities(model, data, sample, classes));
                out.put(v.id(), m);
                progress.accept(String.format("%-10s validation accuracy %.4f (%d images)", v.id(),
                        m.accuracy(data.labels()), data.size()));
            }
        }
        return out;
    }

    static float[] probabilities(OnnxModel model, FashionMnist data, int sample, int classes) {
        int batch = 256;
        float[] in = new float[batch * sample];
        float[] out = new float[data.size() * classes];
        for (int start = 0; start < data.size(); start += batch) {
            int n = Math.min(batch, data.size() - start);
            for (int i = 0; i < n; i++) {
                System.arraycopy(data.images()[start + i], 0, in, i * sample, sample);
            }
            float[] logits = model.run(in, n);
            for (int i = 0; i < n; i++) {
                float[] p = Softmax.probabilities(logits, i * classes, classes);
                System.arraycopy(p, 0, out, (start + i) * classes, classes);
            }
        }
        return out;
    }

    /**
     * Every subset of {@code members} (in their order) of size {@code minMembers..maxMembers}, under
     * every rule of {@code votes}: smaller sets first, then in member order, rule by rule. Accuracy
     * and the best member's own accuracy are rounded to 4 digits, as the catalog keeps them.
     */
    public static List<Ensemble> measure(List<MemberOutputs> members, int[] labels, int minMembers, int maxMembers,
            List<String> votes) {
        if (minMembers < 2 || maxMembers < minMembers) {
            throw new IllegalArgumentException("ensemble sizes " + minMembers + ".." + maxMembers);
        }
        for (MemberOutputs m : members) {
            if (m.samples() != labels.length) {
                throw new IllegalArgumentException(m.variant() + " has " + m.samples() + " samples, labels " + labels.length);
            }
        }
        double[] single = members.stream().mapToDouble(m -> m.accuracy(labels)).toArray();
        List<Ensemble> out = new ArrayList<>();
        for (int size = minMembers; size <= Math.min(maxMembers, members.size()); size++) {
            for (int[] subset : subsets(members.size(), size)) {
                List<MemberOutputs> set = new ArrayList<>();
                double best = 0;
                for (int k : subset) {
                    set.add(members.get(k));
                    best = Math.max(best, single[k]);
                }
                List<String> ids = set.stream().map(MemberOutputs::variant).toList();
                for (String vote : votes) {
                    out.add(new Ensemble(ids, vote, round(accuracy(set, labels, vote)), round(best)));
                }
            }
        }
        return out;
    }

    /** The fraction of samples whose ensemble answer under {@code vote} equals the label. */
    public static double accuracy(List<MemberOutputs> set, int[] labels, String vote) {
        int[] answers = answers(set, labels.length, vote);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += answers[i] == labels[i] ? 1 : 0;
        }
        return correct / (double) labels.length;
    }

    /** The ensemble's label for each of the first {@code samples} samples. */
    public static int[] answers(List<MemberOutputs> set, int samples, String vote) {
        if (set.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs members");
        }
        int classes = set.get(0).classes();
        for (MemberOutputs m : set) {
            if (m.classes() != classes) {
                throw new IllegalArgumentException("members disagree on the number of classes: " + set.get(0).variant()
                        + " " + classes + ", " + m.variant() + " " + m.classes());
            }
        }
        int[] out = new int[samples];
        double[] score = new double[classes];
        double[] confidence = new double[classes];
        for (int i = 0; i < samples; i++) {
            java.util.Arrays.fill(score, 0);
            java.util.Arrays.fill(confidence, 0);
            switch (vote) {
                case "MAJORITY" -> {
                    for (MemberOutputs m : set) {
                        int label = m.label(i);
                        score[label] += 1;
                        confidence[label] += m.confidence(i);
                    }
                }
                case "PROBABILITY_AVERAGE" -> {
                    for (MemberOutputs m : set) {
                        for (int c = 0; c < classes; c++) {
                            score[c] += m.probabilities()[i * classes + c];
                        }
                    }
                }
                default -> throw new IllegalArgumentException("no offline measure for vote '" + vote + "'; one of " + VOTES);
            }
            out[i] = best(score, confidence);
        }
        return out;
    }

    /** Highest score, then highest confidence sum, then lowest class. */
    private static int best(double[] score, double[] confidence) {
        int best = 0;
        for (int c = 1; c < score.length; c++) {
            if (score[c] > score[best] || (score[c] == score[best] && confidence[c] > confidence[best])) {
                best = c;
            }
        }
        return best;
    }

    /** The index sets of {@code k} out of {@code n}, in lexicographic order. */
    static List<int[]> subsets(int n, int k) {
        List<int[]> out = new ArrayList<>();
        int[] idx = new int[k];
        for (int i = 0; i < k; i++) {
            idx[i] = i;
        }
        while (k <= n) {
            out.add(idx.clone());
            int i = k - 1;
            while (i >= 0 && idx[i] == n - k + i) {
                i--;
            }
            if (i < 0) {
                break;
            }
            idx[i]++;
            for (int j = i + 1; j < k; j++) {
                idx[j] = idx[j - 1] + 1;
            }
        }
        return out;
    }

    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
