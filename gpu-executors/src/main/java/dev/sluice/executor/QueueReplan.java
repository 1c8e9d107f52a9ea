package dev.sluice.executor;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Tensor;
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
 * <p>Pure: the caller gives the queue in run order, the batch cost and the time, and carries out
 * the moves (withdraw, send the retargeted task, tell the aggregator).
 */
public final class QueueReplan {
    /** Budget for one hop, executor to aggregator (measured p50 of a hop: about 10-20 ms). */
    static final double OUTPUT_HOP_MS = 20;

    /** A task to move: the retargeted copy to send, and the predictions that decided it. */
    public record Move<T>(T queued, InferenceTask retargeted, double predictedHereMs, double expectedThereMs) {
        public String to() {
            return retargeted.getVariant();
        }
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
     * @param batchLimit tasks per batch while a queue is long
     * @param batchMs what one batch of {@code batchLimit} costs here
     */
    public <T> List<Move<T>> plan(List<T> queue, Function<T, InferenceTask> taskOf, int batchLimit, double batchMs,
            long nowMs) {
        if (batchLimit < 1 || !(batchMs >= 0)) {
            throw new IllegalArgumentException("batch limit " + batchLimit + ", batch cost " + batchMs + " ms");
        }
        List<Move<T>> moves = new ArrayList<>();
        long staying = 0;
        for (T queued : queue) {
            InferenceTask task = taskOf.apply(queued);
            double hereMs = (staying / batchLimit + 1) * batchMs + OUTPUT_HOP_MS;
            Move<T> move = nowMs + hereMs > task.getDeadlineMs() ? moveOf(queued, task, hereMs, nowMs) : null;
            if (move != null) {
                moves.add(move);
            } else {
                staying++;
            }
        }
        return moves;
    }

    private <T> Move<T> moveOf(T queued, InferenceTask task, double hereMs, long nowMs) {
        for (String f : task.getFallbacks()) {
            Optional<Variant> target = variants.apply(f);
            if (target.isEmpty()) {
                continue;
            }
            double thereMs = expectedMs.applyAsDouble(f);
            if (nowMs + thereMs > task.getDeadlineMs()) {
                continue;
            }
            Optional<InferenceTask> retargeted = retarget(task, target.get(), nowMs);
            if (retargeted.isPresent()) {
                return new Move<>(queued, retargeted.get(), hereMs, thereMs);
            }
        }
        return null;
    }

    /**
     * {@code task} for {@code target}: the tensors it carries that the target consumes, in the
     * target's input order (each is named after its modality; a lone tensor feeds a one-input
     * target whatever its name), no fallbacks and no cascade; empty when a tensor the target
     * needs is not carried or does not fit the target's input.
     */
    public static Optional<InferenceTask> retarget(InferenceTask task, Variant target, long nowMs) {
        List<Tensor> carried = new ArrayList<>();
        carried.add(task.getInput());
        carried.addAll(task.getExtraInputs());
        List<String> order = target.inputModalities();
        List<Tensor> inputs = new ArrayList<>();
        for (String name : order) {
            Tensor t = carried.stream().filter(x -> x.getName().equals(name)).findFirst()
                    .orElse(carried.size() == 1 && order.size() == 1 ? carried.get(0) : null);
            if (t == null) {
                return Optional.empty();
            }
            inputs.add(t);
        }
        InferenceTask moved = InferenceTask.newBuilder(task)
                .setVariant(target.id()).setInput(inputs.get(0)).setExtraInputs(List.copyOf(inputs.subList(1, inputs.size())))
                .setFallbacks(List.of()).setEscalateTo(List.of()).setEscalateBelow(0f).setEnqueuedAtMs(nowMs).build();
        return new TaskInputs(target, 1).problem(moved) == null ? Optional.of(moved) : Optional.empty();
    }
}
