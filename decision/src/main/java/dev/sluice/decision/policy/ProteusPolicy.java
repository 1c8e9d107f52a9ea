package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proteus's accuracy scaling: every {@code replanEveryMs} (on the request clock) it re-plans
 * the task's traffic split on smoothed demand, so that the device time the split costs (demand x
 * sum of share x per-request time at the best deadline-safe batch, or the executors' measured
 * time when higher) stays within {@code devices x utilisation}, maximising average accuracy. The
 * devices are the executor replicas live now (distinct executor ids serving any of the task's
 * variants: one process or pod is one device, however many variants it hosts), never a
 * constant, so the plan grows as KEDA adds replicas and shrinks when one stops reporting. Between re-plans each request is
 * routed by weighted round robin over the shares of the variants that meet its floor and
 * deadline; if none of those has a share, it goes to the cheapest that does.
 */
public final class ProteusPolicy implements SelectionPolicy {
    private static final Logger log = LoggerFactory.getLogger(ProteusPolicy.class);
    private static final double SLACK_SMOOTHING = 0.05;

    public record Config(long replanEveryMs, double utilisation, double demandTauMs, Allocator allocator) {
        public static final Config DEFAULTS = new Config(2_000, 0.8, 2_000, new ExactAllocator());

        public Config {
            if (replanEveryMs <= 0 || demandTauMs <= 0) {
                throw new IllegalArgumentException("proteus: re-plan interval and demand smoothing must be positive");
            }
            if (!(utilisation > 0 && utilisation <= 1)) {
                throw new IllegalArgumentException("proteus: utilisation must be in (0, 1], got " + utilisation);
            }
        }
    }

    /** Per-task plan and its inputs, guarded by the policy's lock. */
    private static final class TaskPlan {
        final ArrivalRate arrivals;
        double smoothedSlackMs = Double.NaN;
        Catalog plannedFor;
        long plannedAtMs;
        Allocation allocation;
        WeightedRoundRobin router = new WeightedRoundRobin();

        TaskPlan(double tauMs) {
            arrivals = new ArrivalRate(tauMs);
        }
    }

    private final LatencyEstimator estimator;
    private final Config config;
    private final Map<String, TaskPlan> plans = new HashMap<>();

    public ProteusPolicy(LatencyEstimator estimator, Config config) {
        this.estimator = estimator;
        this.config = config;
    }

    @Override
    public String name() {
        return "proteus";
    }

    /** The task's current traffic split, or null before its first request. */
    public synchronized Allocation allocation(String task) {
        TaskPlan p = plans.get(task);
        return p == null ? null : p.allocation;
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        TaskVariants tv = TaskVariants.of(catalog, req.task());
        if (tv.isEmpty()) {
            return Rejections.noProfiledVariant(req.task());
        }
        double slackMs = req.deadlineMs() - nowMs;
        Map<String, Double> estimates = new LinkedHashMap<>(); // of the variants meeting the floor, cheapest first
        for (Variant v : tv.meeting(req.minAccuracy())) {
            estimates.put(v.id(), estimator.estimateMs(v, load.of(v.id())));
        }
        String pick = route(req.task(), tv, catalog, estimates, slackMs, load, nowMs);
        if (pick != null) {
            return Selection.serve(List.of(pick), estimates.get(pick));
        }
        if (estimates.isEmpty()) {
            return Rejections.belowFloor(req.task(), req.minAccuracy(), tv.bestAccuracy());
        }
        double fastest = estimates.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        return Rejections.tooSlow(req.minAccuracy(), fastest, slackMs);
    }

    private synchronized String route(String task, TaskVariants tv, Catalog catalog, Map<String, Double> estimates,
                                      double slackMs, LoadSnapshot load, long nowMs) {
        TaskPlan p = plans.computeIfAbsent(task, t -> new TaskPlan(config.demandTauMs()));
        p.arrivals.arrive(nowMs);
        p.smoothedSlackMs = Double.isNaN(p.smoothedSlackMs) ? slackMs
                : (1 - SLACK_SMOOTHING) * p.smoothedSlackMs + SLACK_SMOOTHING * slackMs;
        if (p.allocation == null || p.plannedFor != catalog || nowMs - p.plannedAtMs >= config.replanEveryMs()) {
            replan(task, p, tv, catalog, load, nowMs);
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        String cheapestFit = null;
        for (Map.Entry<String, Double> e : estimates.entrySet()) {
            if (e.getValue() <= slackMs) {
                weights.put(e.getKey(), p.allocation.shares().getOrDefault(e.getKey(), 0.0));
                cheapestFit = cheapestFit == null ? e.getKey() : cheapestFit;
            }
        }
        String pick = p.router.next(weights);
        return pick != null ? pick : cheapestFit;
    }

    private void replan(String task, TaskPlan p, TaskVariants tv, Catalog catalog, LoadSnapshot load, long nowMs) {
        double demand = p.arrivals.perSecond(nowMs);
        List<PlanOption> options = options(tv, p.smoothedSlackMs, load);
        p.allocation = config.allocator().allocate(options, demand, devices(tv, load) * config.utilisation());
        p.plannedFor = catalog;
        p.plannedAtMs = nowMs;
        p.router = new WeightedRoundRobin();
        log.debug("proteus: task {} demand {}/s -> shares {} accuracy {} served {}", task, Math.round(demand),
                p.allocation.shares(), p.allocation.accuracy(), p.allocation.servedFraction());
    }

    /** Live devices serving the task: distinct replicas over its variants, at least one. */
    static int devices(TaskVariants tv, LoadSnapshot load) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Variant v : tv.byCost()) {
            ids.addAll(load.of(v.id()).replicaIds());
        }
        return Math.max(1, ids.size());
    }

    /**
     * Variants that can meet the typical deadline, each costed at the largest batch that still
     * does (Proteus plans throughput at the biggest SLO-safe batch), or at the executors' live
     * cost per request when that is higher (see {@link VariantLoad}). If none can, all of them at
     * full batch, and the per-request check turns requests away.
     */
    private List<PlanOption> options(TaskVariants tv, double slackMs, LoadSnapshot load) {
        List<PlanOption> out = new ArrayList<>();
        for (Variant v : tv.byCost()) {
            for (int b = TaskVariants.maxBatch(v); b >= 1; b--) {
                double batchMs = estimator.overheadMs() + v.batching().maxDelayMs() + v.profile().p99Ms(b);
                if (batchMs <= slackMs) {
                    double ms = Math.max(v.profile().p50Ms(b) / b, load.of(v.id()).msPerRequest());
                    out.add(new PlanOption(v.id(), v.accuracy(), Math.max(ms, 1e-9) / 1000.0));
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            tv.byCost().forEach(v -> out.add(
                    new PlanOption(v.id(), v.accuracy(), Math.max(TaskVariants.msPerRequest(v, load.of(v.id())), 1e-9) / 1000.0)));
        }
        return out;
    }
}
