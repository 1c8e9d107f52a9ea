package dev.sluice.executor;

import static dev.sluice.executor.TaskInputsTest.audio;
import static dev.sluice.executor.TaskInputsTest.audioTensor;
import static dev.sluice.executor.TaskInputsTest.image;
import static dev.sluice.executor.TaskInputsTest.imageTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceTask;
import dev.sluice.decision.replan.Escalation;
import dev.sluice.decision.replan.QueueReplan;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The executor's Avro tasks through the decision module's re-planning and escalation. */
class TaskRoutesTest {
    private static final Catalog MULTI = Catalog.load(Path.of("../models/catalog-multimodal.yaml"));
    private static final long NOW = 1_000_000;
    // a fallback's dispatch-to-output time, by id; fusion-lite answers slowly here
    private static final Map<String, Double> EXPECTED = Map.of("fusion-lite", 500.0, "cnn-small", 50.0, "audio-cnn", 45.0);
    private final QueueReplan replan = new QueueReplan(MULTI::variant,
            id -> EXPECTED.getOrDefault(id, Double.POSITIVE_INFINITY));

    /** A fusion-cnn task carrying both modalities, due {@code dueInMs} from now. */
    private static InferenceTask fusionTask(String id, long dueInMs, List<String> fallbacks) {
        return InferenceTask.newBuilder(TaskInputsTest.task(id, "fusion-cnn", imageTensor("image", image(1)),
                        List.of(audioTensor(audio(1)))))
                .setDeadlineMs(NOW + dueInMs).setFallbacks(fallbacks).build();
    }

    private List<QueueReplan.Move<InferenceTask, InferenceTask>> plan(List<InferenceTask> queue, int limit, double batchMs) {
        return replan.plan(queue, TaskRoutes::routingOf, (t, target) -> TaskRoutes.retarget(t, target, NOW), limit, batchMs,
                NOW);
    }

    @Test
    void aTaskThisQueueWouldAnswerLateMovesToTheFirstFallbackInTime() {
        // batches of 4 at 30 ms: r0-r3 answer at 50 ms, r4-r7 at 80 ms, past their 70 ms deadline
        List<InferenceTask> queue = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            queue.add(fusionTask("r" + i, 70, List.of("fusion-lite", "cnn-small", "audio-cnn")));
        }
        List<QueueReplan.Move<InferenceTask, InferenceTask>> moves = plan(queue, 4, 30);
        assertEquals(List.of("r4", "r5", "r6", "r7"), moves.stream().map(m -> m.queued().getRequestId()).toList());
        // fusion-lite is listed first but expected after the deadline: cnn-small, the next, is in time
        assertTrue(moves.stream().allMatch(m -> m.to().equals("cnn-small")), moves.toString());
        assertTrue(moves.stream().allMatch(m -> m.retargeted().getVariant().equals("cnn-small")), moves.toString());
    }

    @Test
    void aMovedTaskCarriesOnlyTheTensorsItsNewVariantTakes() {
        InferenceTask t = InferenceTask.newBuilder(fusionTask("r", 100, List.of("audio-cnn", "cnn-small")))
                .setEscalateTo(List.of("vgg")).setEscalateBelow(0.5f).build();
        Variant audioCnn = MULTI.variant("audio-cnn").orElseThrow();
        InferenceTask toAudio = TaskRoutes.retarget(t, audioCnn, NOW).orElseThrow();
        assertEquals("audio-cnn", toAudio.getVariant());
        assertEquals("audio", toAudio.getInput().getName());
        assertTrue(toAudio.getExtraInputs().isEmpty());
        assertTrue(toAudio.getFallbacks().isEmpty(), "a task moves once");
        assertTrue(toAudio.getEscalateTo().isEmpty());
        assertEquals(0f, toAudio.getEscalateBelow());
        assertEquals(NOW, toAudio.getEnqueuedAtMs());
        assertEquals(t.getDeadlineMs(), toAudio.getDeadlineMs());

        InferenceTask toImage = TaskRoutes.retarget(t, MULTI.variant("cnn-small").orElseThrow(), NOW).orElseThrow();
        assertEquals("image", toImage.getInput().getName());
        assertTrue(toImage.getExtraInputs().isEmpty());
    }

    @Test
    void aTaskIsNotMovedToAVariantNeedingATensorItDoesNotCarry() {
        InferenceTask imageOnly = InferenceTask.newBuilder(TaskInputsTest.task("r", "cnn-small",
                imageTensor("image", image(2)), List.of())).setDeadlineMs(NOW + 100).setFallbacks(List.of("audio-cnn")).build();
        assertTrue(TaskRoutes.retarget(imageOnly, MULTI.variant("audio-cnn").orElseThrow(), NOW).isEmpty());
        assertTrue(TaskRoutes.retarget(imageOnly, MULTI.variant("fusion-lite").orElseThrow(), NOW).isEmpty());
        // and a lone image tensor, whatever its name, still feeds a one-input image model
        InferenceTask named = InferenceTask.newBuilder(imageOnly).setInput(imageTensor("input", image(2))).build();
        assertTrue(TaskRoutes.retarget(named, MULTI.variant("mlp").orElseThrow(), NOW).isPresent());
        // late here (200 ms batch), audio-cnn would be in time (45 ms), but it has no audio: it stays
        assertTrue(plan(List.of(imageOnly), 1, 200).isEmpty());
    }

    @Test
    void anUnsureAnswerGoesOnToTheNextStageWithTheRestOfTheChain() {
        Escalation escalation = new Escalation(Map.of("vgg", 20.0, "vgg-tta", 60.0)::get);
        InferenceTask done = InferenceTask.newBuilder(TaskInputsTest.task("r1", "cnn-small", imageTensor("input", image(3)),
                        List.of())).setCreatedAtMs(NOW - 50).setDeadlineMs(NOW + 500).setEnqueuedAtMs(NOW - 40)
                .setEscalateTo(List.of("vgg", "vgg-tta")).setEscalateBelow(0.9f).build();
        InferenceTask next = TaskRoutes.escalated(done,
                escalation.next(TaskRoutes.routingOf(done), 0.6f, NOW).orElseThrow(), NOW);
        assertEquals("vgg", next.getVariant());
        assertEquals(List.of("vgg-tta"), next.getEscalateTo());
        assertEquals(NOW, next.getEnqueuedAtMs());
        assertEquals("r1", next.getRequestId());
        assertEquals(NOW + 500, next.getDeadlineMs());
        assertEquals(NOW - 50, next.getCreatedAtMs());
    }
}
