package dev.sluice.executor.profile;

import dev.sluice.models.Cascade;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Measures two-stage cascades offline from the same per-variant outputs the ensembles are
 * scored on: for every ordered pair (cheaper first stage, costlier second) and every threshold
 * of a grid, the accuracy when the second stage answers exactly the images whose first-stage
 * confidence is under the threshold, and how many those are. The executors escalate by the
 * same rule (confidence = softmax probability of the argmax label).
 *
 * <p>Only the Pareto front of each last stage is kept: a cascade stays when no other ending in the
 * same stage is both at least as accurate and no more costly per request (first stage cost plus
 * escalation rate times the second's), so the catalog holds choices, not the whole grid. The front
 * is per last stage because the selector credits a cascade on that stage's test accuracy
 * ({@code CascadePolicy}): one front over all stages let {@code vgg>vgg-b} (more accurate on
 * validation) push every {@code vgg>vgg-tta} off it, and the policy, unable to credit the former
 * above {@code vgg-b}'s own accuracy, was left with no cascade at {@code vgg-tta}'s.
 */
public final class CascadeProfiler {
    public static final List<Double> THRESHOLDS = List.of(0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99);

    private CascadeProfiler() {}

    /**
     * @param byCost the members, cheapest first
     * @param costMs a variant's cost per request, in the same order of magnitude for all (e.g. batch-1 p50)
     */
    public static List<Cascade> measure(List<EnsembleProfiler.MemberOutputs> byCost, int[] labels, List<Double> thresholds,
            ToDoubleFunction<String> costMs) {
        List<Cascade> all = new ArrayList<>();
        for (int i = 0; i < byCost.size(); i++) {
            for (int j = i + 1; j < byCost.size(); j++) {
                EnsembleProfiler.MemberOutputs first = byCost.get(i);
                EnsembleProfiler.MemberOutputs second = byCost.get(j);
                double secondAlone = second.accuracy(labels);
                for (double t : thresholds) {
                    all.add(score(first, second, labels, t, secondAlone));
                }
            }
        }
        ToDoubleFunction<Cascade> cost = c -> costMs.applyAsDouble(c.first())
                + c.escalationRate() * costMs.applyAsDouble(c.stages().get(1));
        Map<String, List<Cascade>> byLast = new LinkedHashMap<>();
        for (Cascade c : all) {
            byLast.computeIfAbsent(c.stages().get(c.stages().size() - 1), k -> new ArrayList<>()).add(c);
        }
        List<Cascade> fronts = new ArrayList<>();
        byLast.values().forEach(group -> fronts.addAll(paretoFront(group, cost)));
        fronts.sort(Comparator.comparingDouble(cost));
        return fronts;
    }

    static Cascade score(EnsembleProfiler.MemberOutputs first, EnsembleProfiler.MemberOutputs second, int[] labels,
            double threshold, double secondAlone) {
        if (first.samples() != labels.length || second.samples() != labels.length) {
            throw new IllegalArgumentException("members and labels disagree on the number of samples");
        }
        int correct = 0;
        int escalated = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean passOn = first.confidence(i) < threshold;
            escalated += passOn ? 1 : 0;
            int answer = passOn ? second.label(i) : first.label(i);
            correct += answer == labels[i] ? 1 : 0;
        }
        double n = labels.length;
        return new Cascade(List.of(first.variant(), second.variant()), threshold, round(correct / n), round(escalated / n),
                round(secondAlone));
    }

    /** The cascades no other beats on both accuracy (higher) and cost (lower), cheapest first. */
    static List<Cascade> paretoFront(List<Cascade> all, ToDoubleFunction<Cascade> cost) {
        List<Cascade> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingDouble(cost).thenComparing(Comparator.comparingDouble(Cascade::accuracy).reversed()));
        List<Cascade> front = new ArrayList<>();
        double best = -1;
        for (Cascade c : sorted) {
            if (c.accuracy() > best) {
                front.add(c);
                best = c.accuracy();
            }
        }
        return front;
    }

    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
