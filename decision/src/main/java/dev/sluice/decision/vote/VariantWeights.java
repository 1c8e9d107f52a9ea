package dev.sluice.decision.vote;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Voting weight of each variant, as in Cocktail: starts from the variant's measured accuracy
 * and learns online from ground-truth feedback.
 *
 * <p>The accuracy estimate is the mean of a Beta prior worth {@code priorStrength} answers at
 * the measured accuracy, updated by every feedback: {@code (a*s + correct) / (s + n)}. The weight
 * is the log-odds {@code ln((K-1) p / (1-p))} for {@code K} classes: the weight that makes a
 * weighted vote optimal for independent members whose mistakes fall evenly on the other
 * {@code K-1} classes. A member at chance ({@code p = 1/K}) or below weighs 0; a perfect one is
 * capped by clamping {@code p} to {@code 1 - 1e-3}.
 *
 * <p>A variant with no measured accuracy starts from the mean of the measured ones, or from
 * halfway between chance and certain when none was measured (then every variant weighs the same
 * and the vote is a plain majority until feedback arrives). Thread-safe: stream tasks read the
 * weights while feedback updates them. Held in memory only: a restart starts again from the
 * measured accuracies.
 */
public final class VariantWeights {
    public static final double DEFAULT_PRIOR_STRENGTH = 100;
    private static final double CLAMP = 1e-3;

    private record Observed(long correct, long total) {
        Observed plus(boolean right) {
            return new Observed(correct + (right ? 1 : 0), total + 1);
        }
    }

    private final Map<String, Double> measured;
    private final int classes;
    private final double priorStrength;
    private final double unmeasuredAccuracy;
    private final Map<String, Observed> observed = new ConcurrentHashMap<>();

    /**
     * @param measuredAccuracy variant id to accuracy in [0, 1] measured offline (the catalog's)
     * @param classes number of classes of the task, at least 2
     * @param priorStrength how many feedback answers the measured accuracy is worth, positive
     */
    public VariantWeights(Map<String, Double> measuredAccuracy, int classes, double priorStrength) {
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be at least 2: " + classes);
        }
        if (!(priorStrength > 0)) {
            throw new IllegalArgumentException("priorStrength must be positive: " + priorStrength);
        }
        measuredAccuracy.forEach((v, a) -> {
            if (a == null || !(a >= 0 && a <= 1)) {
                throw new IllegalArgumentException("accuracy of " + v + " must be in [0, 1]: " + a);
            }
        });
        this.measured = new ConcurrentHashMap<>(measuredAccuracy);
        this.classes = classes;
        this.priorStrength = priorStrength;
        this.unmeasuredAccuracy = measured.values().stream().mapToDouble(Double::doubleValue).average()
                .orElse((1 + 1.0 / classes) / 2);
    }

    /** Weights from measured accuracies with the default prior strength. */
    public static VariantWeights fromAccuracy(Map<String, Double> measuredAccuracy, int classes) {
        return new VariantWeights(measuredAccuracy, classes, DEFAULT_PRIOR_STRENGTH);
    }

    /** No measured accuracies: every variant weighs the same until feedback says otherwise. */
    public static VariantWeights uniform(int classes) {
        return fromAccuracy(Map.of(), classes);
    }

    /**
     * The offline accuracy of {@code variant} changed or became known (a variant published to the
     * live catalog): it becomes the prior; feedback observed so far still counts.
     */
    public void setMeasured(String variant, double accuracy) {
        if (!(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("accuracy of " + variant + " must be in [0, 1]: " + accuracy);
        }
        measured.put(variant, accuracy);
    }

    /** The current accuracy estimate of a variant. */
    public double accuracy(String variant) {
        double prior = measured.getOrDefault(variant, unmeasuredAccuracy);
        Observed o = observed.getOrDefault(variant, new Observed(0, 0));
        return (prior * priorStrength + o.correct()) / (priorStrength + o.total());
    }

    /** The variant's voting weight, 0 or more. */
    public double weight(String variant) {
        double p = Math.min(1 - CLAMP, Math.max(CLAMP, accuracy(variant)));
        return Math.max(0, Math.log((classes - 1) * p / (1 - p)));
    }

    /** Ground truth for one answer of one variant. */
    public void onFeedback(String variant, boolean correct) {
        observed.merge(variant, new Observed(correct ? 1 : 0, 1), (o, ignored) -> o.plus(correct));
    }

    /** Ground truth for one request: each member's vote was right when it named the true label. */
    public void onGroundTruth(int trueLabel, List<Ballot> votes) {
        votes.forEach(v -> onFeedback(v.member(), v.label() == trueLabel));
    }

    /** How many feedback answers a variant has had. */
    public long feedbackCount(String variant) {
        return observed.getOrDefault(variant, new Observed(0, 0)).total();
    }

    @Override
    public String toString() {
        return "VariantWeights[classes=" + classes + ", priorStrength=" + priorStrength + ", measured=" + measured + "]";
    }
}
