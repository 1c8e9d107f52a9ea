package dev.sluice.selector.policy;

import dev.sluice.selector.policy.ModalityStrategyTable.Candidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MOSEL's other online part: when load changes, re-plan work already queued so deadlines are not
 * missed. A queued task that its current variant would now finish too late moves to a cheaper
 * candidate of the strategy table (typically a cheaper modality subset: image-only instead of
 * image+audio) that still meets its deadline, the most accurate such candidate first; a task
 * predicted to finish in time stays. Only cheaper candidates are considered: re-planning sheds
 * work, it never adds any.
 *
 * <p>Pure: the caller supplies the queued tasks' facts, the table, the live load and the time,
 * and carries out the moves (withdraw the task from its variant's queue, re-dispatch it to the
 * new variant with the inputs that variant consumes, and tell the aggregator's plan).
 *
 * <p>The predictions use {@link LatencyEstimator}: for the current variant with the tasks ahead
 * of this one in its queue, for a target with its whole live queue (a moved task joins the back).
 * The estimator's fixed pipeline overhead is charged to both, which is conservative for a task
 * already at its executor.
 */
public final class QueuedReplan {
    /**
     * A queued task: its request's deadline, accuracy floor and the modalities it carries, the
     * variant it is queued for, and how many tasks are ahead of it in that variant's queue.
     */
    public record QueuedTask(String requestId, long deadlineMs, double minAccuracy, List<String> modalities, String variant,
                             long tasksAhead) {
        public QueuedTask {
            modalities = List.copyOf(modalities);
        }
    }

    public enum Action {
        /** the current variant is predicted to finish in time */
        KEEP,
        /** move to {@link Decision#variant()}: the current one would be late, that one is cheaper and in time */
        MOVE,
        /** late where it is and no cheaper candidate is in time either: left where it is */
        LATE
    }

    /**
     * What to do with one task. {@code variant}: where it should be (the current one unless moved);
     * {@code estimatedMs}: the predicted latency there; {@code meetsFloor}: whether that variant's
     * accuracy meets the task's floor.
     */
    public record Decision(String requestId, Action action, String variant, double estimatedMs, boolean meetsFloor,
                           String reason) {}

    private final LatencyEstimator estimator;

    public QueuedReplan(LatencyEstimator estimator) {
        this.estimator = estimator;
    }

    /** One task against the live load. */
    public Decision decide(QueuedTask task, ModalityStrategyTable table, LoadSnapshot load, long nowMs) {
        return decide(task, task.tasksAhead(), table, load, Map.of(), nowMs);
    }

    /**
     * The tasks of one variant's queue, head first (their {@code tasksAhead} is ignored: it is the
     * number of tasks before each that stay). Moves are charged to their targets, so later tasks
     * see the queues the earlier moves built, and free the places they leave.
     */
    public List<Decision> replanQueue(List<QueuedTask> queueHeadFirst, ModalityStrategyTable table, LoadSnapshot load,
                                      long nowMs) {
        List<Decision> out = new ArrayList<>();
        Map<String, Long> added = new HashMap<>();
        long kept = 0;
        for (QueuedTask t : queueHeadFirst) {
            Decision d = decide(t, kept, table, load, added, nowMs);
            if (d.action() == Action.MOVE) {
                added.merge(d.variant(), 1L, Long::sum);
            } else {
                kept++;
            }
            out.add(d);
        }
        return out;
    }

    private Decision decide(QueuedTask task, long ahead, ModalityStrategyTable table, LoadSnapshot load,
                            Map<String, Long> added, long nowMs) {
        double slackMs = task.deadlineMs() - nowMs;
        Candidate current = table.variant(task.variant());
        if (current == null) {
            // not a profiled variant of this table: nothing to compare with
            return new Decision(task.requestId(), Action.KEEP, task.variant(), Double.NaN, false,
                    "variant '" + task.variant() + "' is not in the strategy table of '" + table.task() + "'");
        }
        double currentMs = estimator.estimateMs(current.variant(), withQueue(load.of(current.id()), ahead));
        boolean currentMeets = current.accuracy() >= task.minAccuracy();
        if (currentMs <= slackMs) {
            return new Decision(task.requestId(), Action.KEEP, current.id(), currentMs, currentMeets,
                    String.format("in time: %.1f ms predicted, %.1f ms left", currentMs, slackMs));
        }
        Candidate best = null;
        double bestMs = 0;
        for (Candidate c : table.usableWith(task.modalities())) {
            if (c == current || c.msPerRequest() >= current.msPerRequest()) {
                continue;
            }
            VariantLoad vl = load.of(c.id());
            double ms = estimator.estimateMs(c.variant(), withQueue(vl, Math.max(0, vl.queueDepth()) + added.getOrDefault(c.id(), 0L)));
            if (ms <= slackMs && (best == null || c.accuracy() > best.accuracy())) {
                best = c; // cheapest first, so an accuracy tie keeps the cheaper
                bestMs = ms;
            }
        }
        if (best == null) {
            return new Decision(task.requestId(), Action.LATE, current.id(), currentMs, currentMeets, String.format(
                    "late: %.1f ms predicted on %s, %.1f ms left, and no cheaper candidate using %s is in time",
                    currentMs, current.id(), slackMs, ModalityStrategyTable.subset(task.modalities())));
        }
        return new Decision(task.requestId(), Action.MOVE, best.id(), bestMs, best.accuracy() >= task.minAccuracy(),
                String.format("moved from %s (%.1f ms predicted) to %s %s (%.1f ms), %.1f ms left", current.id(), currentMs,
                        best.id(), best.modalities(), bestMs, slackMs));
    }

    private static VariantLoad withQueue(VariantLoad live, long queued) {
        return new VariantLoad(queued, live.throughputPerSec(), live.observedAtMs(), live.msPerRequest());
    }
}
