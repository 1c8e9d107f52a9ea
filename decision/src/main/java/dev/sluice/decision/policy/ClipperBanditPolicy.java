package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Clipper's single-model selection: Exp3 over the variants meeting the request's floor,
 * learning from ground-truth feedback (reward 1 when the answer was correct). Each draw is
 * remembered with its probability so feedback is importance-weighted as Exp3 requires.
 * Latency counts too: a drawn variant whose estimate misses the deadline earns reward 0 on the
 * spot, and the request goes to the most accurate variant that fits instead (its feedback
 * then teaches nothing, being off-policy).
 *
 * <p>Draws are kept per request id, and feedback counts only for a request this instance drew
 * and only for the arm it drew: with N selector replicas every one sees all feedback, and a
 * draw made elsewhere has another probability (importance weights would be wrong) or none.
 * At most {@code maxPending} draws wait for feedback; the oldest are forgotten first.
 */
public final class ClipperBanditPolicy implements SelectionPolicy {
    public record Config(double gamma, int maxPending) {
        public static final Config DEFAULTS = new Config(0.1, 10_000);

        public Config {
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("clipper-bandit: gamma must be in (0, 1], got " + gamma);
            }
            if (maxPending < 1) {
                throw new IllegalArgumentException("clipper-bandit: max pending draws must be >= 1");
            }
        }
    }

    /** One draw awaiting feedback: the arm, its probability and how many arms it was drawn among; NaN = off-policy. */
    private record Draw(String variant, double probability, int arms) {
        static Draw offPolicy(String variant) {
            return new Draw(variant, Double.NaN, 0);
        }
    }

    private final LatencyEstimator estimator;
    private final Config config;
    private final RandomGenerator random;
    private final Map<String, Double> logWeights = new HashMap<>();
    private final LinkedHashMap<String, Draw> pending = new LinkedHashMap<>();
    private long learnedFrom;

    public ClipperBanditPolicy(LatencyEstimator estimator, Config config, RandomGenerator random) {
        this.estimator = estimator;
        this.config = config;
        this.random = random;
    }

    @Override
    public String name() {
        return "clipper-bandit";
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        TaskVariants tv = TaskVariants.of(catalog, req.task());
        if (tv.isEmpty()) {
            return Rejections.noProfiledVariant(req.task());
        }
        List<Variant> arms = tv.meeting(req.minAccuracy());
        if (arms.isEmpty()) {
            return Rejections.belowFloor(req.task(), req.minAccuracy(), tv.bestAccuracy());
        }
        double slackMs = req.deadlineMs() - nowMs;
        Map<String, Double> estimates = new LinkedHashMap<>();
        arms.forEach(v -> estimates.put(v.id(), estimator.estimateMs(v, load.of(v.id()))));
        synchronized (this) {
            Map<String, Double> p = probabilities(arms);
            String drawn = draw(p);
            if (estimates.get(drawn) <= slackMs) {
                remember(req.id(), new Draw(drawn, p.get(drawn), arms.size()));
                return Selection.serve(List.of(drawn), estimates.get(drawn));
            }
            // reward 0 for the late arm: in Exp3's gain form that is no update at all
            Variant fallback = null;
            for (Variant v : arms) {
                if (estimates.get(v.id()) <= slackMs && (fallback == null || v.accuracy() > fallback.accuracy())) {
                    fallback = v;
                }
            }
            if (fallback == null) {
                double fastest = estimates.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                return Rejections.tooSlow(req.minAccuracy(), fastest, slackMs);
            }
            remember(req.id(), Draw.offPolicy(fallback.id()));
            return Selection.serve(List.of(fallback.id()), estimates.get(fallback.id()));
        }
    }

    @Override
    public synchronized void onFeedback(String requestId, String variant, boolean correct, long nowMs) {
        Draw d = pending.get(requestId);
        if (d == null || !d.variant().equals(variant)) {
            return; // another replica's draw, or not the arm drawn: nothing this instance may learn from
        }
        pending.remove(requestId);
        learnedFrom++;
        if (Double.isNaN(d.probability())) {
            return;
        }
        double estimatedReward = (correct ? 1.0 : 0.0) / d.probability();
        logWeights.merge(variant, config.gamma() * estimatedReward / d.arms(), Double::sum);
    }

    /** How many answers' ground truth this instance has learned from (each its own draw, once). */
    public synchronized long learnedFrom() {
        return learnedFrom;
    }

    /** Exp3's mix of the weights with uniform exploration, over these arms (cost order). */
    synchronized Map<String, Double> probabilities(List<Variant> arms) {
        double max = arms.stream().mapToDouble(v -> logWeights.getOrDefault(v.id(), 0.0)).max().orElse(0);
        double total = arms.stream().mapToDouble(v -> Math.exp(logWeights.getOrDefault(v.id(), 0.0) - max)).sum();
        double gamma = config.gamma();
        Map<String, Double> p = new LinkedHashMap<>();
        for (Variant v : arms) {
            double w = Math.exp(logWeights.getOrDefault(v.id(), 0.0) - max) / total;
            p.put(v.id(), (1 - gamma) * w + gamma / arms.size());
        }
        return p;
    }

    private String draw(Map<String, Double> p) {
        double u = random.nextDouble();
        String last = null;
        for (Map.Entry<String, Double> e : p.entrySet()) {
            last = e.getKey();
            u -= e.getValue();
            if (u < 0) {
                return last;
            }
        }
        return last; // rounding left a sliver: the last arm
    }

    private void remember(String requestId, Draw d) {
        if (pending.size() >= config.maxPending()) {
            var oldest = pending.keySet().iterator(); // feedback that never came: forget the oldest draw
            oldest.next();
            oldest.remove();
        }
        pending.put(requestId, d);
    }

    /** Draws waiting for feedback. */
    synchronized int pendingDraws() {
        return pending.size();
    }
}
