package dev.sluice.decision.replan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Re-planning over plain queued tasks that carry named inputs (the executor's carry tensors). */
class QueueReplanTest {
    private static final Catalog MULTI = Catalog.load(Path.of("../models/catalog-multimodal.yaml"));
    private static final long NOW = 1_000_000;
    // a fallback's dispatch-to-output time, by id; fusion-lite answers slowly here
    private static final Map<String, Double> EXPECTED = Map.of("fusion-lite", 500.0, "cnn-small", 50.0, "audio-cnn", 45.0);
    private final QueueReplan replan = new QueueReplan(MULTI::variant,
            id -> EXPECTED.getOrDefault(id, Double.POSITIVE_INFINITY));

    /** A queued task: its request, routing and the names of the inputs it carries. */
    private record Queued(String requestId, TaskRouting routing, List<String> carried) {}

    /** A fusion-cnn task carrying both modalities, due {@code dueInMs} from now. */
    private static Queued fusionTask(String id, long dueInMs, List<String> fallbacks) {
        return new Queued(id, new TaskRouting("fusion-cnn", NOW + dueInMs, fallbacks, List.of(), 0f),
                List.of("image", "audio"));
    }

    /** The queued task's copy for {@code target}: the inputs it would carry there, when it has them all. */
    private static Optional<List<String>> retarget(Queued q, Variant target) {
        return QueueReplan.inputsFor(q.carried(), target).map(order -> order.stream().map(q.carried()::get).toList());
    }

    private List<QueueReplan.Move<Queued, List<String>>> plan(List<Queued> queue, int limit, double batchMs) {
        return replan.plan(queue, Queued::routing, QueueReplanTest::retarget, limit, batchMs, NOW);
    }

    @Test
    void tasksPredictedInTimeStay() {
        // 8 tasks, batches of 4 at 10 ms: the second batch answers at 20 ms + the 20 ms hop
        List<Queued> queue = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            queue.add(fusionTask("r" + i, 100, List.of("cnn-small")));
        }
        assertTrue(plan(queue, 4, 10).isEmpty());
    }

    @Test
    void aTaskThisQueueWouldAnswerLateMovesToTheFirstFallbackInTime() {
        // batches of 4 at 30 ms: r0-r3 answer at 50 ms, r4-r7 at 80 ms, past their 70 ms deadline
        List<Queued> queue = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            queue.add(fusionTask("r" + i, 70, List.of("fusion-lite", "cnn-small", "audio-cnn")));
        }
        List<QueueReplan.Move<Queued, List<String>>> moves = plan(queue, 4, 30);
        assertEquals(List.of("r4", "r5", "r6", "r7"), moves.stream().map(m -> m.queued().requestId()).toList());
        // fusion-lite is listed first but expected after the deadline: cnn-small, the next, is in time
        assertTrue(moves.stream().allMatch(m -> m.to().equals("cnn-small")), moves.toString());
        QueueReplan.Move<Queued, List<String>> m = moves.get(0);
        assertEquals(80.0, m.predictedHereMs(), 1e-9);
        assertEquals(50.0, m.expectedThereMs(), 1e-9);
        assertEquals(List.of("image"), m.retargeted(), "the copy carries what cnn-small takes");
    }

    @Test
    void movedTasksFreeTheirPlacesForTheTasksBehind() {
        // batches of 4 at 40 ms answer at 60 ms, then 100 ms: "urgent" (due at 55) moves, and
        // r1..r4 (due at 65) then fit the first batch, so r4 stays too
        List<Queued> queue = new ArrayList<>();
        queue.add(fusionTask("urgent", 55, List.of("audio-cnn")));
        for (int i = 1; i <= 4; i++) {
            queue.add(fusionTask("r" + i, 65, List.of("audio-cnn")));
        }
        List<QueueReplan.Move<Queued, List<String>>> moves = plan(queue, 4, 40);
        assertEquals(List.of("urgent"), moves.stream().map(m -> m.queued().requestId()).toList());
    }

    @Test
    void aLateTaskWithoutAFallbackInTimeStays() {
        List<Queued> queue = List.of(
                fusionTask("none", 10, List.of()),
                fusionTask("too-slow", 10, List.of("fusion-lite")),
                fusionTask("unknown", 10, List.of("no-such-variant")));
        assertTrue(plan(queue, 1, 50).isEmpty());
    }

    @Test
    void aTaskIsNotMovedToAVariantNeedingAnInputItDoesNotCarry() {
        assertEquals(Optional.of(List.of(1)), QueueReplan.inputsFor(List.of("image", "audio"),
                MULTI.variant("audio-cnn").orElseThrow()));
        assertTrue(QueueReplan.inputsFor(List.of("image"), MULTI.variant("fusion-lite").orElseThrow()).isEmpty());
        // a lone input, whatever its name, feeds a one-input model (the executor then checks that its
        // tensor fits: an image does not fit audio-cnn's input)
        assertEquals(Optional.of(List.of(0)), QueueReplan.inputsFor(List.of("input"), MULTI.variant("mlp").orElseThrow()));
        assertEquals(Optional.of(List.of(0)), QueueReplan.inputsFor(List.of("image"),
                MULTI.variant("audio-cnn").orElseThrow()));
        // late here (200 ms batch), fusion-lite would be in time (45 ms here), but it needs audio: it stays
        Queued imageOnly = new Queued("r", new TaskRouting("cnn-small", NOW + 100, List.of("fusion-lite"), List.of(), 0f),
                List.of("image"));
        QueueReplan fastFallbacks = new QueueReplan(MULTI::variant, id -> 45.0);
        assertTrue(fastFallbacks.plan(List.of(imageOnly), Queued::routing, QueueReplanTest::retarget, 1, 200, NOW).isEmpty());
        Queued both = new Queued("r", imageOnly.routing(), List.of("image", "audio"));
        assertEquals(1, fastFallbacks.plan(List.of(both), Queued::routing, QueueReplanTest::retarget, 1, 200, NOW).size(),
                "with both inputs it moves");
    }
}
