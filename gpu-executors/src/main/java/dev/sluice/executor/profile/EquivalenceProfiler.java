package dev.sluice.executor.profile;

import dev.sluice.models.Substitute;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Model equivalence (Sommelier), measured offline from the same per-variant outputs the ensembles
 * are scored on: for every pair of variants, the share of the validation images both label alike
 * ({@code agreement}), and how the pair splits on the truth (both right, only one right, both
 * wrong). A variant's substitutes are the variants cheaper per request that agree with it on at
 * least a chosen share of the images; the catalog keeps them and the fallbacks try them first.
 */
public final class EquivalenceProfiler {
    /** The share of validation images two variants must label alike for the cheaper to substitute the costlier. */
    public static final double DEFAULT_SHARE = 0.95;

    /**
     * One pair, {@code a} before {@code b} in the members' order. {@code agreement}: same label;
     * {@code bothCorrect}, {@code onlyA}, {@code onlyB}, {@code bothWrong}: against the true label
     * ({@code bothWrongAlike} of the last: the same wrong label). All fractions of the images.
     */
    public record Pair(String a, String b, double agreement, double bothCorrect, double onlyA, double onlyB,
                       double bothWrong, double bothWrongAlike) {}

    private EquivalenceProfiler() {}

    /** Every pair of {@code members} (in their order), rounded to 4 digits as the catalog keeps fractions. */
    public static List<Pair> measure(List<EnsembleProfiler.MemberOutputs> members, int[] labels) {
        List<int[]> answers = new ArrayList<>();
        for (EnsembleProfiler.MemberOutputs m : members) {
            if (m.samples() != labels.length) {
                throw new IllegalArgumentException(m.variant() + " has " + m.samples() + " samples, labels " + labels.length);
            }
            int[] a = new int[labels.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = m.label(i);
            }
            answers.add(a);
        }
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            for (int j = i + 1; j < members.size(); j++) {
                out.add(pair(members.get(i).variant(), answers.get(i), members.get(j).variant(), answers.get(j), labels));
            }
        }
        return out;
    }

    static Pair pair(String a, int[] la, String b, int[] lb, int[] labels) {
        int agree = 0, both = 0, onlyA = 0, onlyB = 0, wrong = 0, wrongAlike = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean ra = la[i] == labels[i];
            boolean rb = lb[i] == labels[i];
            agree += la[i] == lb[i] ? 1 : 0;
            if (ra && rb) {
                both++;
            } else if (ra) {
                onlyA++;
            } else if (rb) {
                onlyB++;
            } else {
                wrong++;
                wrongAlike += la[i] == lb[i] ? 1 : 0;
            }
        }
        double n = labels.length;
        return new Pair(a, b, round(agree / n), round(both / n), round(onlyA / n), round(onlyB / n), round(wrong / n),
                round(wrongAlike / n));
    }

    /**
     * The substitutes in {@code pairs}: for each ordered pair, the variant cheaper per request
     * ({@code costMs}) substitutes the costlier when they agree on at least {@code share}. Ordered
     * by variant as the pairs name them, then the most agreeing first.
     */
    public static List<Substitute> substitutes(List<Pair> pairs, double share, ToDoubleFunction<String> costMs) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("substitute share must be in (0,1], got " + share);
        }
        List<Substitute> out = new ArrayList<>();
        for (Pair p : pairs) {
            if (p.agreement() < share) {
                continue;
            }
            double ca = costMs.applyAsDouble(p.a());
            double cb = costMs.applyAsDouble(p.b());
            if (ca < cb) {
                out.add(new Substitute(p.b(), p.a(), p.agreement()));
            } else if (cb < ca) {
                out.add(new Substitute(p.a(), p.b(), p.agreement()));
            }
        }
        List<String> order = new ArrayList<>();
        pairs.forEach(p -> {
            if (!order.contains(p.a())) {
                order.add(p.a());
            }
            if (!order.contains(p.b())) {
                order.add(p.b());
            }
        });
        out.sort(Comparator.comparingInt((Substitute s) -> order.indexOf(s.variant()))
                .thenComparing(Comparator.comparingDouble(Substitute::agreement).reversed()));
        return out;
    }

    /**
     * What one request of {@code v} costs when batched fully: the p50 of its largest batch (the
     * configured maximum, capped by the largest measured) over that batch size, as the policies count it.
     */
    public static double msPerRequest(Variant v) {
        int b = Math.min(v.batching().maxBatch(), v.profile().maxMeasuredBatch());
        return v.profile().p50Ms(b) / b;
    }

    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
