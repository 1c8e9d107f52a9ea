package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.HashMap;
import java.util.Map;

/**
 * Priority admission around any policy. The task is overloaded when the chosen variants are
 * predicted to finish more than {@code latenessMs} after the request's deadline or the task's
 * total queue passes {@code queueLimit}. Each task keeps an admission threshold: it rises by one per
 * {@code stepMs} of overload (up to {@code maxThreshold}) and falls by one per {@code stepMs}
 * without, so low priorities are shed first and come back as the load clears. Requests with
 * priority >= threshold go through; the inner policy's own rejections pass unchanged.
 */
public final class AdmissionControl implements SelectionPolicy {
    public record Config(long queueLimit, long stepMs, int maxThreshold, double latenessMs) {
        public static final Config DEFAULTS = new Config(256, 100, 10, 0);

        public Config {
            if (queueLimit < 0 || stepMs <= 0 || maxThreshold < 1 || !(latenessMs >= 0)) {
                throw new IllegalArgumentException(
                        "admission: need queue_limit >= 0, step_ms > 0, max_threshold >= 1, lateness_ms >= 0");
            }
        }

        public Config(long queueLimit, long stepMs, int maxThreshold) {
            this(queueLimit, stepMs, maxThreshold, 0);
        }
    }

    /** Per-task threshold, guarded by the wrapper's lock. */
    private static final class Threshold {
        int level;
        long changedAtMs = Long.MIN_VALUE;
    }

    private final SelectionPolicy inner;
    private final LatencyEstimator estimator;
    private final Config config;
    private final Map<String, Threshold> thresholds = new HashMap<>();

    public AdmissionControl(SelectionPolicy inner, LatencyEstimator estimator, Config config) {
        this.inner = inner;
        this.estimator = estimator;
        this.config = config;
    }

    /** The inner policy's name: admission is a property of how it runs, not another policy. */
    @Override
    public String name() {
        return inner.name();
    }

    public SelectionPolicy inner() {
        return inner;
    }

    public synchronized int threshold(String task) {
        Threshold t = thresholds.get(task);
        return t == null ? 0 : t.level;
    }

    @Override
    public void onFeedback(String requestId, String variant, boolean correct, long nowMs) {
        inner.onFeedback(requestId, variant, correct, nowMs);
    }

    @Override
    public void onFeedback(String requestId, int trueLabel, java.util.List<dev.sluice.decision.vote.Ballot> votes, long nowMs) {
        inner.onFeedback(requestId, trueLabel, votes, nowMs);
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        Selection s = inner.decide(req, catalog, load, nowMs);
        if (!s.serve()) {
            return s;
        }
        double slackMs = req.deadlineMs() - nowMs;
        double predictedMs = 0;
        for (String id : s.variants()) {
            Variant v = catalog.variant(id).orElse(null);
            if (v != null && v.isProfiled()) {
                predictedMs = Math.max(predictedMs, estimator.estimateMs(v, load.of(id)));
            }
        }
        long queued = TaskVariants.of(catalog, req.task()).totalQueue(load);
        boolean late = predictedMs > slackMs + config.latenessMs();
        int threshold = update(req.task(), late || queued > config.queueLimit(), nowMs);
        if (req.priority() >= threshold) {
            return s;
        }
        String why = late ? String.format(", predicted %.1f ms with %.1f ms left", predictedMs, slackMs) : "";
        return Selection.reject(String.format("overload: priority %d below admission threshold %d, queue %d%s",
                req.priority(), threshold, queued, why));
    }

    private synchronized int update(String task, boolean overloaded, long nowMs) {
        Threshold t = thresholds.computeIfAbsent(task, k -> new Threshold());
        boolean due = t.changedAtMs == Long.MIN_VALUE || nowMs - t.changedAtMs >= config.stepMs();
        if (due && overloaded && t.level < config.maxThreshold()) {
            t.level++;
            t.changedAtMs = nowMs;
        } else if (due && !overloaded && t.level > 0) {
            t.level--;
            t.changedAtMs = nowMs;
        }
        return t.level;
    }
}
