package dev.sluice.decision.policy;

import dev.sluice.models.Cascade;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.List;
import java.util.Map;

/**
 * Cascades: run a cheap variant first and pass the request on to a stronger one only when the
 * cheap answer's confidence is under a threshold. Per request, the candidate with the least
 * expected compute that meets the accuracy floor and whose worst case (every stage run, one
 * after another, at the current queues) fits before the deadline: a single variant, or one of
 * the catalog's cascades (measured on the validation split: accuracy and how often the first
 * stage escalates). The executors escalate by the same rule; the aggregator answers with the
 * last stage that answered.
 *
 * <p>Accuracy is credited on one scale, as {@link CocktailPolicy} does: a cascade's validation
 * gain over its last stage, added to that stage's test accuracy, but never above that stage's
 * own accuracy. The zoo's positive gains are a few validation images (mlp>vgg below 0.97:
 * +0.0012 on validation, -0.0004 against vgg on 5,000 test images in the pipeline), so a
 * cascade is trusted to match its last stage, not to beat it.
 */
public final class CascadePolicy implements SelectionPolicy {
    private final LatencyEstimator estimator;

    public CascadePolicy(LatencyEstimator estimator) {
        this.estimator = estimator;
    }

    @Override
    public String name() {
        return "cascade";
    }

    /** One way to serve: its stages (one for a single variant), threshold (0 for one), promises and costs. */
    record Candidate(List<String> stages, double threshold, double accuracy, double expectedCostMs, double worstMs) {}

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        TaskVariants tv = TaskVariants.of(catalog, req.task());
        if (tv.isEmpty()) {
            return Rejections.noProfiledVariant(req.task());
        }
        Map<String, Variant> profiled = tv.byId();
        Map<String, Double> estimateMs = tv.estimatesMs(estimator, load);
        double slackMs = req.deadlineMs() - nowMs;
        Candidate chosen = null;
        double fastestAccurateMs = Double.MAX_VALUE;
        for (Candidate c : candidates(req.task(), catalog, profiled, estimateMs)) {
            if (c.accuracy() < req.minAccuracy()) {
                continue;
            }
            fastestAccurateMs = Math.min(fastestAccurateMs, c.worstMs());
            if (c.worstMs() <= slackMs && (chosen == null || cheaper(c, chosen))) {
                chosen = c;
            }
        }
        if (chosen != null) {
            return chosen.stages().size() == 1 ? Selection.serve(chosen.stages(), chosen.worstMs())
                    : Selection.cascade(chosen.stages(), chosen.worstMs(), chosen.threshold());
        }
        if (fastestAccurateMs == Double.MAX_VALUE) {
            return Rejections.belowFloor(req.task(), req.minAccuracy(), tv.bestAccuracy());
        }
        return Rejections.tooSlow(req.minAccuracy(), fastestAccurateMs, slackMs);
    }

    private static boolean cheaper(Candidate a, Candidate b) {
        if (a.expectedCostMs() != b.expectedCostMs()) {
            return a.expectedCostMs() < b.expectedCostMs();
        }
        return a.accuracy() > b.accuracy();
    }

    static List<Candidate> candidates(String task, Catalog catalog, Map<String, Variant> profiled,
            Map<String, Double> estimateMs) {
        List<Candidate> out = new java.util.ArrayList<>();
        for (Variant v : profiled.values()) {
            out.add(new Candidate(List.of(v.id()), 0, v.accuracy(), TaskVariants.msPerRequest(v), estimateMs.get(v.id())));
        }
        for (Cascade c : catalog.cascadesFor(task)) {
            if (!profiled.keySet().containsAll(c.stages())) {
                continue; // an unprofiled stage promises nothing
            }
            Variant last = profiled.get(c.stages().get(c.stages().size() - 1));
            // never above the last stage: validation gains of a few images did not hold on the test set
            double accuracy = Math.max(0, Math.min(last.accuracy(), last.accuracy() + c.gain()));
            // the first stage always runs; the later ones on the escalated share (measured for two stages)
            double cost = TaskVariants.msPerRequest(profiled.get(c.first()));
            double worst = 0;
            for (int i = 0; i < c.stages().size(); i++) {
                String s = c.stages().get(i);
                worst += estimateMs.get(s);
                if (i > 0) {
                    cost += c.escalationRate() * TaskVariants.msPerRequest(profiled.get(s));
                }
            }
            out.add(new Candidate(c.stages(), c.threshold(), accuracy, cost, worst));
        }
        return out;
    }
}
