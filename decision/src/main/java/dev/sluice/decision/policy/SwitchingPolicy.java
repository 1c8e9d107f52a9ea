package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model-Switching: the variant follows the observed load. Demand is the smoothed arrival rate
 * plus the task's queued backlog spread over a horizon; the level is the most accurate variant
 * whose full-batch capacity serves that demand. It drops at once when demand passes
 * {@code downUtilisation} of its capacity, and climbs only when a more accurate variant would
 * run under the lower {@code upUtilisation} and the level has held for {@code minDwellMs}: the
 * gap between the two thresholds and the dwell are the hysteresis that stops flapping.
 * Each request then gets the level if it meets the floor and the deadline, else the nearest
 * variant that does.
 */
public final class SwitchingPolicy implements SelectionPolicy {
    private static final Logger log = LoggerFactory.getLogger(SwitchingPolicy.class);

    public record Config(double arrivalTauMs, double backlogHorizonMs, double downUtilisation,
                         double upUtilisation, long minDwellMs) {
        public static final Config DEFAULTS = new Config(1_000, 1_000, 0.9, 0.6, 1_000);

        public Config {
            if (arrivalTauMs <= 0 || backlogHorizonMs <= 0 || minDwellMs < 0) {
                throw new IllegalArgumentException("switching: times must be positive");
            }
            if (!(0 < upUtilisation && upUtilisation <= downUtilisation && downUtilisation <= 1)) {
                throw new IllegalArgumentException(
                        "switching: need 0 < up_utilisation <= down_utilisation <= 1, got " + upUtilisation + ", " + downUtilisation);
            }
        }
    }

    /** Per-task switching state, guarded by the policy's lock. */
    private static final class Level {
        final ArrivalRate arrivals;
        String variant;
        long sinceMs;

        Level(double tauMs) {
            arrivals = new ArrivalRate(tauMs);
        }
    }

    private final LatencyEstimator estimator;
    private final Config config;
    private final Map<String, Level> levels = new HashMap<>();

    public SwitchingPolicy(LatencyEstimator estimator, Config config) {
        this.estimator = estimator;
        this.config = config;
    }

    @Override
    public String name() {
        return "switching";
    }

    /** The variant the task's traffic currently follows, or null before its first request. */
    public synchronized String level(String task) {
        Level l = levels.get(task);
        return l == null ? null : l.variant;
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        TaskVariants tv = TaskVariants.of(catalog, req.task());
        if (tv.isEmpty()) {
            return Rejections.noProfiledVariant(req.task());
        }
        List<Variant> ladder = tv.byAccuracy();
        Variant level = follow(req.task(), ladder, tv.totalQueue(load), load, nowMs);
        return serveNear(level, ladder, req, load, nowMs, tv.bestAccuracy());
    }

    private synchronized Variant follow(String task, List<Variant> ladder, long queued, LoadSnapshot load, long nowMs) {
        Level l = levels.computeIfAbsent(task, t -> new Level(config.arrivalTauMs()));
        l.arrivals.arrive(nowMs);
        double demand = l.arrivals.perSecond(nowMs) + queued * 1000.0 / config.backlogHorizonMs();
        Variant current = ladder.stream().filter(v -> v.id().equals(l.variant)).findFirst().orElse(null);
        Variant target = current;
        String why = null;
        if (current == null) {
            target = mostAccurateServing(ladder, demand, config.downUtilisation(), load);
            why = "start";
        } else if (demand > config.downUtilisation() * capacity(current, load)) {
            target = mostAccurateServing(ladder, demand, config.downUtilisation(), load);
            why = String.format("demand %.0f/s > %.2f x capacity %.0f/s", demand, config.downUtilisation(), capacity(current, load));
        } else if (nowMs - l.sinceMs >= config.minDwellMs()) {
            Variant up = mostAccurateServing(ladder, demand, config.upUtilisation(), load);
            if (up.accuracy() > current.accuracy()) {
                target = up;
                why = String.format("demand %.0f/s <= %.2f x capacity %.0f/s", demand, config.upUtilisation(), capacity(up, load));
            }
        }
        if (target != current) {
            log.info("switching: task {} {} -> {} ({})", task, current == null ? "-" : current.id(), target.id(), why);
            l.variant = target.id();
            l.sinceMs = nowMs;
        }
        return target;
    }

    /** Capacity at the live cost per request when the executors report one (see {@link VariantLoad}). */
    private double capacity(Variant v, LoadSnapshot load) {
        VariantLoad l = load.of(v.id());
        return l.servingReplicas() * TaskVariants.capacityPerSec(v, l);
    }

    /** The most accurate variant serving the demand at that utilisation; the roomiest if none does. */
    private Variant mostAccurateServing(List<Variant> ladder, double demand, double utilisation, LoadSnapshot load) {
        Variant roomiest = ladder.get(0);
        for (int i = ladder.size() - 1; i >= 0; i--) {
            Variant v = ladder.get(i);
            if (demand <= utilisation * capacity(v, load)) {
                return v;
            }
            roomiest = capacity(v, load) > capacity(roomiest, load) ? v : roomiest;
        }
        return roomiest;
    }

    /**
     * The level if it meets the request; otherwise down the ladder towards the floor, and only
     * then up (a heavier variant with an empty queue can beat a lighter one with a deep one).
     */
    private Selection serveNear(Variant level, List<Variant> ladder, SelectionRequest req, LoadSnapshot load,
                                long nowMs, double bestAccuracy) {
        int at = ladder.indexOf(level);
        double slackMs = req.deadlineMs() - nowMs;
        double fastestMs = Double.MAX_VALUE;
        boolean anyAccurate = false;
        for (int step = 0; step < ladder.size(); step++) {
            int i = step <= at ? at - step : step; // at, at-1, ..., 0, then at+1, at+2, ...
            Variant v = ladder.get(i);
            if (v.accuracy() < req.minAccuracy()) {
                continue;
            }
            anyAccurate = true;
            double est = estimator.estimateMs(v, load.of(v.id()));
            if (est <= slackMs) {
                return Selection.serve(List.of(v.id()), est);
            }
            fastestMs = Math.min(fastestMs, est);
        }
        return anyAccurate ? Rejections.tooSlow(req.minAccuracy(), fastestMs, slackMs)
                : Rejections.belowFloor(req.task(), req.minAccuracy(), bestAccuracy);
    }
}
