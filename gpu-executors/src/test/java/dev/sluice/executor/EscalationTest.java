package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EscalationTest {
    private static final long NOW = 1_000_000;
    private final Escalation escalation = new Escalation(Map.of("vgg", 20.0, "vgg-tta", 60.0)::get);

    private static InferenceTask task(List<String> escalateTo, float below, long deadlineMs) {
        return InferenceTask.newBuilder().setRequestId("r1").setVariant("cnn-small").setTask("fashion-mnist")
                .setInput(Tensor.newBuilder().setName("input").setDatatype("FP32").setShape(List.of(1L, 1L, 28L, 28L))
                        .setData(ByteBuffer.allocate(4)).build())
                .setCreatedAtMs(NOW - 50).setDeadlineMs(deadlineMs).setEnqueuedAtMs(NOW - 40)
                .setEscalateTo(escalateTo).setEscalateBelow(below).build();
    }

    @Test
    void anUnsureAnswerGoesOnToTheNextStageWithTheRestOfTheChain() {
        InferenceTask next = escalation.next(task(List.of("vgg", "vgg-tta"), 0.9f, NOW + 500), 0.6f, NOW).orElseThrow();
        assertEquals("vgg", next.getVariant());
        assertEquals(List.of("vgg-tta"), next.getEscalateTo());
        assertEquals(NOW, next.getEnqueuedAtMs());
        assertEquals("r1", next.getRequestId());
        assertEquals(NOW + 500, next.getDeadlineMs());
        assertEquals(NOW - 50, next.getCreatedAtMs());
    }

    @Test
    void aSureAnswerStands() {
        assertTrue(escalation.next(task(List.of("vgg"), 0.9f, NOW + 500), 0.9f, NOW).isEmpty());
        assertTrue(escalation.next(task(List.of("vgg"), 0.9f, NOW + 500), 0.97f, NOW).isEmpty());
    }

    @Test
    void noEscalationWhenTheNextStageWouldMissTheDeadline() {
        assertTrue(escalation.next(task(List.of("vgg-tta"), 0.9f, NOW + 59), 0.1f, NOW).isEmpty());
        assertTrue(escalation.next(task(List.of("vgg-tta"), 0.9f, NOW + 60), 0.1f, NOW).isPresent());
    }

    @Test
    void plainTasksAndTheLastStageNeverEscalate() {
        assertTrue(escalation.next(task(List.of(), 0.9f, NOW + 500), 0.1f, NOW).isEmpty());
        assertTrue(escalation.next(task(List.of("vgg"), 0f, NOW + 500), 0.1f, NOW).isEmpty());
        assertTrue(Escalation.never().next(task(List.of("vgg"), 0.9f, NOW + 500), 0.1f, NOW).isEmpty());
    }
}
