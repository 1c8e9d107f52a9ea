package dev.sluice.executor;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Tensor;
import dev.sluice.decision.replan.Escalation;
import dev.sluice.decision.replan.QueueReplan;
import dev.sluice.decision.replan.TaskRouting;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Avro tasks for the decision module's re-planning and escalation: a task's routing fields as a
 * {@link TaskRouting}, and the tasks those decisions send on (a queued task retargeted to a
 * fallback, a cascade's next stage). Field copying only: the decisions are {@link QueueReplan}'s
 * and {@link Escalation}'s.
 */
final class TaskRoutes {
    private TaskRoutes() {}

    static TaskRouting routingOf(InferenceTask task) {
        return new TaskRouting(task.getVariant(), task.getDeadlineMs(), task.getFallbacks(), task.getEscalateTo(),
                task.getEscalateBelow());
    }

    /**
     * {@code task} for {@code target}: the tensors it carries that the target consumes, in the
     * target's input order ({@link QueueReplan#inputsFor}), no fallbacks and no cascade; empty
     * when a tensor the target needs is not carried or does not fit the target's input.
     */
    static Optional<InferenceTask> retarget(InferenceTask task, Variant target, long nowMs) {
        List<Tensor> carried = new ArrayList<>();
        carried.add(task.getInput());
        carried.addAll(task.getExtraInputs());
        Optional<List<Integer>> order = QueueReplan.inputsFor(carried.stream().map(Tensor::getName).toList(), target);
        if (order.isEmpty()) {
            return Optional.empty();
        }
        List<Tensor> inputs = order.get().stream().map(carried::get).toList();
        InferenceTask moved = InferenceTask.newBuilder(task)
                .setVariant(target.id()).setInput(inputs.get(0)).setExtraInputs(List.copyOf(inputs.subList(1, inputs.size())))
                .setFallbacks(List.of()).setEscalateTo(List.of()).setEscalateBelow(0f).setEnqueuedAtMs(nowMs).build();
        return new TaskInputs(target, 1).problem(moved) == null ? Optional.of(moved) : Optional.empty();
    }

    /** The task of a cascade's next stage, queued now. */
    static InferenceTask escalated(InferenceTask done, Escalation.NextStage next, long nowMs) {
        return InferenceTask.newBuilder(done)
                .setVariant(next.variant())
                .setEscalateTo(next.escalateTo())
                .setEnqueuedAtMs(nowMs)
                .build();
    }
}
