package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadTrackerTest {
    private static Variant variant(LatencyProfile p) {
        return new Variant("vgg", "fashion-mnist", List.of("image"), "vgg.onnx",
                new TensorSpec("input", "FP32", List.of(-1L, 1L, 28L, 28L)), new TensorSpec("logits", "FP32", List.of(-1L, 10L)),
                "pixels", 0.93, 0.93, p, null);
    }

    private static final LatencyProfile PROFILE = new LatencyProfile("cpu", 2, "t",
            List.of(new LatencyPoint(1, 2.0, 3.0, 4.0), new LatencyPoint(8, 8.0, 9.0, 10.0)));

    @Test
    void aStatusIsDueOncePerPeriodWithTheRatesOfThatPeriod() {
        LoadTracker t = new LoadTracker(variant(PROFILE), 200);
        ExecutorStatus first = t.statusIfDue(1_000, "e1", "cpu", 0, 2).orElseThrow();
        assertEquals(1_000, first.getUpdatedAtMs());
        assertEquals(2, first.getAssignedPartitions());
        for (int i = 0; i < 40; i++) {
            t.arrived();
        }
        t.ran(20, 8.0);
        t.dropped(3);
        assertTrue(t.statusIfDue(1_100, "e1", "cpu", 5, 2).isEmpty(), "within the period");
        ExecutorStatus s = t.statusIfDue(1_200, "e1", "cpu", 5, 2).orElseThrow();
        assertEquals(200.0, s.getArrivalRate(), 1e-9, "40 arrivals in 0.2 s (the first smoothed value is the value)");
        assertEquals(100.0, s.getThroughput(), 1e-9);
        assertEquals(8.0, s.getBatchLatencyMs(), 1e-9);
        assertEquals(20, s.getCompletedTotal());
        assertEquals(3, s.getDroppedTotal());
        assertEquals(5, s.getQueueDepth());
        ExecutorStatus quiet = t.statusIfDue(1_400, "e1", "cpu", 0, 2).orElseThrow();
        assertEquals(0.7 * 200.0, quiet.getArrivalRate(), 1e-9, "smoothed toward the idle period's 0");
    }

    @Test
    void aTaskCostsWhatRecentBatchesMeasuredElseWhatTheProfileSays() {
        LoadTracker t = new LoadTracker(variant(PROFILE), 200);
        assertEquals(2.0, t.perTaskMs(), 1e-9, "the profile's p50 at batch 1 before any batch ran");
        assertEquals(8.0, t.fullBatchMs(8), 1e-9, "the profile at the batch size");
        t.ran(8, 12.0); // mean batch 0.7*1 + 0.3*8 = 3.1 (smoothed from the initial 1)
        assertEquals(12.0 / 3.1, t.perTaskMs(), 1e-9);
        assertEquals(8.0, t.fullBatchMs(8), 1e-9, "recent batches far from full: the profile still");
        for (int i = 0; i < 20; i++) {
            t.ran(8, 12.0);
        }
        assertEquals(12.0, t.fullBatchMs(8), 0.01, "nearly full recent batches: measured");
        LoadTracker unprofiled = new LoadTracker(variant(new LatencyProfile("none", 0, "", List.of())), 200);
        assertEquals(0, unprofiled.perTaskMs());
        assertEquals(0, unprofiled.fullBatchMs(8));
    }

    @Test
    void anIdleExecutorForgetsItsMeasuredCostAfterTheTtl() {
        LoadTracker t = new LoadTracker(variant(PROFILE), 200);
        t.statusIfDue(1_000, "e1", "cpu", 0, 1).orElseThrow();
        t.ran(8, 80.0); // slow batches, e.g. under another policy's burst
        ExecutorStatus busy = t.statusIfDue(1_200, "e1", "cpu", 0, 1).orElseThrow();
        assertEquals(80.0, busy.getBatchLatencyMs(), 1e-9);
        long ttl = dev.sluice.decision.policy.VariantLoad.MEASURED_COST_TTL_MS;
        // idle: still reported a status period short of the TTL after the last status with a batch
        ExecutorStatus before = t.statusIfDue(1_200 + ttl - 200, "e1", "cpu", 0, 1).orElseThrow();
        assertEquals(80.0, before.getBatchLatencyMs(), 1e-9);
        ExecutorStatus after = t.statusIfDue(1_200 + ttl, "e1", "cpu", 0, 1).orElseThrow();
        assertEquals(0.0, after.getBatchLatencyMs(), "no measured cost: the selectors cost it by its profile");
        assertEquals(1.0, after.getMeanBatchSize(), 1e-9);
        assertEquals(2.0, t.perTaskMs(), 1e-9, "the executor's own estimate falls back to the profile too");
        // a batch measures it again
        t.ran(8, 16.0);
        assertEquals(16.0, t.statusIfDue(1_400 + ttl, "e1", "cpu", 0, 1).orElseThrow().getBatchLatencyMs(), 1e-9);
    }
}
