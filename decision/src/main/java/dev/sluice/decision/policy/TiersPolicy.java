package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.List;
import java.util.Locale;

/**
 * Tolerance Tiers: the caller picks an operating point by name and gets that variant set:
 * {@code low} the cheapest, {@code medium} the middle of the accuracy ladder, {@code high} the
 * most accurate, {@code ensemble-high} the two most accurate (the aggregator votes). A tier is
 * a promise, so it is never swapped for another: if its set misses the floor or the deadline
 * the request is rejected saying so. Without a known tier, INFaaS's rule decides.
 */
public final class TiersPolicy implements SelectionPolicy {
    private final LatencyEstimator estimator;
    private final InfaasPolicy untiered;

    public TiersPolicy(LatencyEstimator estimator) {
        this.estimator = estimator;
        this.untiered = new InfaasPolicy(estimator);
    }

    @Override
    public String name() {
        return "tiers";
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        String tier = req.tier() == null ? "" : req.tier().trim().toLowerCase(Locale.ROOT);
        TaskVariants tv = TaskVariants.of(catalog, req.task());
        if (tv.isEmpty()) {
            return Rejections.noProfiledVariant(req.task());
        }
        List<Variant> ladder = tv.byAccuracy();
        int n = ladder.size();
        List<Variant> set = switch (tier) {
            case "low" -> List.of(tv.byCost().get(0));
            case "medium" -> List.of(ladder.get((n - 1) / 2));
            case "high" -> List.of(ladder.get(n - 1));
            case "ensemble-high" -> n == 1 ? List.of(ladder.get(0)) : List.of(ladder.get(n - 1), ladder.get(n - 2));
            default -> null;
        };
        if (set == null) {
            return untiered.decide(req, catalog, load, nowMs);
        }
        double best = set.stream().mapToDouble(Variant::accuracy).max().orElseThrow();
        if (best < req.minAccuracy()) {
            return Selection.reject(String.format("tier '%s' serves %s (accuracy %.4f), below min_accuracy %.4f",
                    tier, ids(set), best, req.minAccuracy()));
        }
        double slackMs = req.deadlineMs() - nowMs;
        double slowestMs = 0;
        for (Variant v : set) {
            slowestMs = Math.max(slowestMs, estimator.estimateMs(v, load.of(v.id())));
        }
        if (slowestMs > slackMs) {
            return Selection.reject(String.format("tier '%s' (%s) does not finish in time: predicted %.1f ms, %.1f ms left to the deadline",
                    tier, ids(set), slowestMs, slackMs));
        }
        return Selection.serve(ids(set), slowestMs);
    }

    private static List<String> ids(List<Variant> vs) {
        return vs.stream().map(Variant::id).toList();
    }
}
