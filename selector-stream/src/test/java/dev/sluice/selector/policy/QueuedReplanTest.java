package dev.sluice.selector.policy;

import static dev.sluice.selector.CatalogFixtures.T0;
import static dev.sluice.selector.policy.LadderFixtures.queued;
import static dev.sluice.selector.policy.MultimodalFixtures.BOTH;
import static dev.sluice.selector.policy.MultimodalFixtures.IMAGE;
import static dev.sluice.selector.policy.MultimodalFixtures.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.selector.policy.QueuedReplan.Action;
import dev.sluice.selector.policy.QueuedReplan.Decision;
import dev.sluice.selector.policy.QueuedReplan.QueuedTask;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Re-planning queued tasks over {@link MultimodalFixtures}' strategy table, 10 ms overhead. */
class QueuedReplanTest {
    private final QueuedReplan replan = new QueuedReplan(new LatencyEstimator(10));
    private final ModalityStrategyTable table = ModalityStrategyTable.of(MultimodalFixtures.catalog(), TASK);

    private static QueuedTask task(String variant, long ahead, long slackMs, double floor, List<String> modalities) {
        return new QueuedTask("q", T0 + slackMs, floor, modalities, variant, ahead);
    }

    @Test
    void aTaskInTimeStays() {
        Decision d = replan.decide(task("fusion-cnn", 0, 50, 0.94, BOTH), table, LoadSnapshot.IDLE, T0);
        assertEquals(Action.KEEP, d.action());
        assertEquals("fusion-cnn", d.variant());
        assertEquals(13.0, d.estimatedMs(), 1e-9);
        assertTrue(d.meetsFloor());
    }

    @Test
    void onlyTheTasksAheadCountForTheCurrentVariant() {
        // 300 queued behind it do not delay it
        Decision d = replan.decide(task("fusion-cnn", 0, 50, 0.94, BOTH), table, queued("fusion-cnn", 300), T0);
        assertEquals(Action.KEEP, d.action());
    }

    @Test
    void aLateTaskMovesToTheMostAccurateCheaperCandidateInTime() {
        // 200 ahead on fusion-cnn: 142.5 ms predicted, 50 left; vgg (.934, image only) idle 12.6 ms
        Decision d = replan.decide(task("fusion-cnn", 200, 50, 0.94, BOTH), table, LoadSnapshot.IDLE, T0);
        assertEquals(Action.MOVE, d.action());
        assertEquals("vgg", d.variant());
        assertEquals(12.6, d.estimatedMs(), 1e-9);
        assertFalse(d.meetsFloor(), ".934 < .94: shed, and said so");
        assertTrue(replan.decide(task("fusion-cnn", 200, 50, 0.93, BOTH), table, LoadSnapshot.IDLE, T0).meetsFloor());
        // with vgg deep too (99 ms), cnn-small (.912) is the best in time
        Decision d2 = replan.decide(task("fusion-cnn", 200, 50, 0.94, BOTH), table, queued("vgg", 200), T0);
        assertEquals("cnn-small", d2.variant());
    }

    @Test
    void aTaskWithOnlyItsImageNeverMovesToAudioOrFusion() {
        // vgg late; every cheaper image variant deep; audio-cnn and fusion-lite idle but the audio part is not there
        LoadSnapshot load = queued("linear", 100_000, "mlp", 100_000, "cnn-small", 10_000);
        Decision d = replan.decide(task("vgg", 200, 50, 0.9, IMAGE), table, load, T0);
        assertEquals(Action.LATE, d.action());
        assertEquals("vgg", d.variant());
        assertTrue(d.reason().contains("no cheaper candidate using [image]"), d.reason());
        Decision withAudio = replan.decide(task("vgg", 200, 50, 0.9, BOTH), table, load, T0);
        assertEquals(Action.MOVE, withAudio.action());
        assertEquals("fusion-lite", withAudio.variant(), ".88 beats audio-cnn's .78");
    }

    @Test
    void itNeverMovesATaskToACostlierVariant() {
        // mlp late with 100k ahead; vgg idle is more accurate but costlier; linear is cheaper and idle
        Decision d = replan.decide(task("mlp", 100_000, 50, 0.85, IMAGE), table, LoadSnapshot.IDLE, T0);
        assertEquals(Action.MOVE, d.action());
        assertEquals("linear", d.variant());
        assertFalse(d.meetsFloor());
    }

    @Test
    void lateWhenNothingCheaperIsInTime() {
        Decision d = replan.decide(task("fusion-cnn", 200, 5, 0.9, BOTH), table, LoadSnapshot.IDLE, T0);
        assertEquals(Action.LATE, d.action());
        assertEquals("fusion-cnn", d.variant());
        assertEquals(142.5, d.estimatedMs(), 1e-9);
    }

    @Test
    void aVariantOutsideTheTableIsKept() {
        Decision d = replan.decide(task("cnn", 100, 5, 0.9, IMAGE), table, LoadSnapshot.IDLE, T0);
        assertEquals(Action.KEEP, d.action());
        assertTrue(d.reason().contains("not in the strategy table"), d.reason());
    }

    @Test
    void replanningAQueueKeepsTheHeadAndChargesMovesToTheirTargets() {
        // 70 tasks on fusion-cnn, 40 ms left each, floor .9. Ahead k: 12 + .5625k + p99(batch k+1) fits up to k = 24
        // (39.7 ms; 40.8 at 25). vgg then takes tasks while 12 + .375q + p99 fits: q = 0..42 (39.75 ms; 40.1 at 43);
        // the last two go to cnn-small (.912), the next best cheaper candidate.
        List<QueuedTask> queue = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            queue.add(new QueuedTask("q" + i, T0 + 40, 0.9, BOTH, "fusion-cnn", -1));
        }
        List<Decision> ds = replan.replanQueue(queue, table, LoadSnapshot.IDLE, T0);
        assertEquals(70, ds.size());
        for (int i = 0; i < 25; i++) {
            assertEquals(Action.KEEP, ds.get(i).action(), "task " + i);
        }
        for (int i = 25; i < 68; i++) {
            assertEquals(Action.MOVE, ds.get(i).action(), "task " + i);
            assertEquals("vgg", ds.get(i).variant(), "task " + i);
            assertTrue(ds.get(i).meetsFloor());
        }
        assertEquals(12.6, ds.get(25).estimatedMs(), 1e-9);
        assertEquals(39.75, ds.get(67).estimatedMs(), 1e-9);
        assertEquals(List.of("cnn-small", "cnn-small"), List.of(ds.get(68).variant(), ds.get(69).variant()));
        assertEquals("q69", ds.get(69).requestId());
        // vgg's own live queue counts too: with 40 already there, only 3 more fit
        List<Decision> busy = replan.replanQueue(queue, table, queued("vgg", 40), T0);
        assertEquals(3, busy.stream().filter(d -> "vgg".equals(d.variant())).count());
        assertEquals(25, busy.stream().filter(d -> d.action() == Action.KEEP).count());
    }
}
