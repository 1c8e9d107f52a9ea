package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.List;

/**
 * INFaaS-style selection: the cheapest variant whose measured accuracy meets the request's
 * floor and whose predicted latency (profile plus current queue) fits before its deadline.
 * "Cheapest" is the smallest profiled batch-1 latency.
 */
public final class InfaasPolicy implements SelectionPolicy {
    private final LatencyEstimator estimator;

    public InfaasPolicy(LatencyEstimator estimator) {
        this.estimator = estimator;
    }

    @Override
    public String name() {
        return "infaas";
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        List<Variant> candidates = catalog.forTask(req.task()).stream().filter(Variant::isProfiled).toList();
        if (candidates.isEmpty()) {
            return Selection.reject("no profiled variant serves task '" + req.task() + "'");
        }
        double slackMs = req.deadlineMs() - nowMs;
        double bestAccuracy = 0;
        double fastestAccurateMs = Double.MAX_VALUE;
        for (Variant v : candidates) {
            bestAccuracy = Math.max(bestAccuracy, v.accuracy());
            if (v.accuracy() < req.minAccuracy()) {
                continue;
            }
            double est = estimator.estimateMs(v, load.of(v.id()));
            if (est <= slackMs) {
                return Selection.serve(List.of(v.id()), est);
            }
            fastestAccurateMs = Math.min(fastestAccurateMs, est);
        }
        if (fastestAccurateMs == Double.MAX_VALUE) {
            return Selection.reject(String.format(
                    "no variant of '%s' reaches min_accuracy %.4f (best %.4f)", req.task(), req.minAccuracy(), bestAccuracy));
        }
        return Selection.reject(String.format(
                "no variant with accuracy >= %.4f finishes in time: fastest predicted %.1f ms, %.1f ms left to the deadline",
                req.minAccuracy(), fastestAccurateMs, slackMs));
    }
}
