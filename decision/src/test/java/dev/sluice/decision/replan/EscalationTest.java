package dev.sluice.decision.replan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EscalationTest {
    private static final long NOW = 1_000_000;
    private final Escalation escalation = new Escalation(Map.of("vgg", 20.0, "vgg-tta", 60.0)::get);

    private static TaskRouting task(List<String> escalateTo, float below, long deadlineMs) {
        return new TaskRouting("cnn-small", deadlineMs, List.of(), escalateTo, below);
    }

    @Test
    void anUnsureAnswerGoesOnToTheNextStageWithTheRestOfTheChain() {
        Escalation.NextStage next = escalation.next(task(List.of("vgg", "vgg-tta"), 0.9f, NOW + 500), 0.6f, NOW)
                .orElseThrow();
        assertEquals("vgg", next.variant());
        assertEquals(List.of("vgg-tta"), next.escalateTo());
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
