package dev.sluice.decision.replan;

import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * MOSEL's re-planning of queued work, done where the queue is: when load grew after a task was
 * planned, the executor holding it moves it to one of the cheaper variants the selector listed
 * ({@code fallbacks}, most accurate first) rather than answer late.
 *
 * <p>A task moves when this executor is predicted to answer it after its deadline and a fallback
 * is expected to answer in time; the first such fallback in the task's list wins. Everything else
 * keeps its place, so re-planning sheds work and never delays any. The prediction for the task
 * with {@code k} staying tasks ahead of it: {@code (k / batchLimit + 1)} full batches at
 * {@code batchMs} each, plus the hop of its output to the aggregator. A fallback is expected to
 * answer after its own dispatch-to-output time (its profiled batch-1 latency, batching delay and
 * hops; the same estimate a cascade uses to escalate), not its live queue, which this executor
 * does not see. A task moves once: the moved copy carries no fallbacks.
 *
 * <p>Pure and generic over what is queued: the caller gives the queue in run order, how to read a
 * queued task's routing, how to build its copy for a fallback (empty when that fallback cannot take
 * it, see {@link #inputsFor}), the batch cost and the time, and carries out the moves (withdraw,
 * send the retargeted task, tell the aggregator).
 */
public final class QueueReplan {
    /** Budget for one hop, executor to aggregator (measured p50 of a hop: about 10-20 ms). */
    static final double OUTPUT_HOP_MS = 20;

    /** A task to move: the fallback it goes {@code to}, its retargeted copy, and the predictions that decided it. */
    public record Move<T, R>(T queued, String to, R retargeted, double predictedHereMs, double expectedThereMs) {}

    /** Builds a queued task's copy for {@code target}, or empty when the target cannot take it. */
    @FunctionalInterface
    public interface Retargeting<T, R> {
        Optional<R> retarget(T queued, Variant target);
    }

    private final Function<String, Optional<Variant>> variants;
    private final ToDoubleFunction<String> expectedMs;

    /**
     * @param variants the catalog's variants by id (a fallback not found is skipped)
     * @param expectedMs how long a variant takes from dispatch to output when idle
     */
    public QueueReplan(Function<String, Optional<Variant>> variants, ToDoubleFunction<String> expectedMs) {
        this.variants = variants;
        this.expectedMs = expectedMs;
    }

    /**
     * The tasks of {@code queue} (run order, head first) to move now.
     *
     * @param routingOf a queued task's deadline and fallbacks
     * @param retargeting the copy of a queued task for a fallback, tried for each fallback in time
     * @param batchLimit tasks per batch while a queue is long
     * @param batchMs what one batch of {@code batchLimit} costs here
     */
    public <T, R> List<Move<T, R>> plan(List<T> queue, Function<T, TaskRouting> routingOf, Retargeting<T, R> retargeting,
            int batchLimit, double batchMs, long nowMs) {
        if (batchLimit < 1 || !(batchMs >= 0)) {
            throw new IllegalArgumentException("batch limit " + batchLimit + ", batch cost " + batchMs + " ms");
        }
        List<Move<T, R>> moves = new ArrayList<>();
        long staying = 0;
        for (T queued : queue) {
            TaskRouting task = routingOf.apply(queued);
            double hereMs = (staying / batchLimit + 1) * batchMs + OUTPUT_HOP_MS;
            Move<T, R> move = nowMs + hereMs > task.deadlineMs() ? moveOf(queued, task, retargeting, hereMs, nowMs) : null;
            if (move != null) {
                moves.add(move);
            } else {
                staying++;
            }
        }
        return moves;
    }

    private <T, R> Move<T, R> moveOf(T queued, TaskRouting task, Retargeting<T, R> retargeting, double hereMs, long nowMs) {
        for (String f : task.fallbacks()) {
            Optional<Variant> target = variants.apply(f);
            if (target.isEmpty()) {
                continue;
            }
            double thereMs = expectedMs.applyAsDouble(f);
            if (nowMs + thereMs > task.deadlineMs()) {
                continue;
            }
            Optional<R> retargeted = retargeting.retarget(queued, target.get());
            if (retargeted.isPresent()) {
                return new Move<>(queued, target.get().id(), retargeted.get(), hereMs, thereMs);
            }
        }
        return null;
    }

    /**
     * Which of the inputs a task carries (by name, each named after its modality) feed
     * {@code target}, in the target's input order: indexes into {@code carried}. A lone input feeds
     * a one-input target whatever its name. Empty when an input the target needs is not carried.
     */
    public static Optional<List<Integer>> inputsFor(List<String> carried, Variant target) {
        List<String> order = target.inputModalities();
        List<Integer> inputs = new ArrayList<>(order.size());
        for (String name : order) {
            int i = carried.indexOf(name);
            if (i < 0 && carried.size() == 1 && order.size() == 1) {
                i = 0;
            }
            if (i < 0) {
                return Optional.empty();
            }
            inputs.add(i);
        }
        return Optional.of(inputs);
    }
}
