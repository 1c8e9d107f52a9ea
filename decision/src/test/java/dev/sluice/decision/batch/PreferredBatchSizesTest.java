package dev.sluice.decision.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Preferred batch sizes on a virtual clock (ms from 0); the rule is in DeadlineBatcher's javadoc. */
class PreferredBatchSizesTest {
    private record Job(String id, long arrivalMs, long deadlineMs) implements Batchable {}

    private static final long FAR = 1_000_000;

    private static DeadlineBatcher<Job> batcher(int maxBatch, double maxDelayMs, BatchLatencyModel latency, List<Integer> preferred) {
        return new DeadlineBatcher<>(maxBatch, maxDelayMs, latency, 64, preferred, 1);
    }

    private static List<String> ids(Batch<Job> b) {
        return b.tasks().stream().map(Job::id).toList();
    }

    private static void offer(DeadlineBatcher<Job> b, int count, long arrivalMs, long deadlineMs) {
        int base = b.size();
        for (int i = 0; i < count; i++) {
            b.offer(new Job("j" + (base + i), arrivalMs, deadlineMs));
        }
    }

    @Test
    void leavesAtOnceWhenTheLargestPreferredSizeIsQueuedButNotAtSmallerOnes() {
        DeadlineBatcher<Job> b = batcher(16, 10, BatchLatencyModel.constant(1), List.of(4, 8));
        offer(b, 7, 0, FAR);
        assertNull(b.poll(0), "4 is preferred but not the largest: keep waiting for 8 while the delay allows");
        assertEquals(10, b.nextFlushAtMs());
        offer(b, 1, 0, FAR);
        assertEquals(Long.MIN_VALUE, b.nextFlushAtMs(), "8 queued: due now");
        Batch<Job> batch = b.poll(0);
        assertEquals(FlushReason.PREFERRED, batch.reason());
        assertEquals(8, batch.size(), "not max_batch (16): the largest preferred size is the target");
        assertEquals(0, b.size());
    }

    @Test
    void aLongQueueLeavesInBatchesOfTheLargestPreferredSize() {
        DeadlineBatcher<Job> b = batcher(16, 10, BatchLatencyModel.constant(1), List.of(4, 8));
        offer(b, 20, 0, FAR);
        assertEquals(List.of(8, 8), List.of(b.poll(0).size(), b.poll(0).size()));
        assertNull(b.poll(0), "4 left: below the largest preferred size, and fresh");
        Batch<Job> rest = b.poll(10);
        assertEquals(FlushReason.MAX_DELAY, rest.reason());
        assertEquals(4, rest.size());
    }

    @Test
    void onMaxDelayTakesTheLargestPreferredSizeTheQueueAllowsThenJudgesTheRestAgain() {
        DeadlineBatcher<Job> b = batcher(16, 10, BatchLatencyModel.constant(1), List.of(4, 8));
        for (int i = 0; i < 7; i++) {
            b.offer(new Job("j" + i, i, FAR));
        }
        Batch<Job> first = b.poll(10);
        assertEquals(FlushReason.MAX_DELAY, first.reason());
        assertEquals(List.of("j0", "j1", "j2", "j3"), ids(first), "7 queued: the largest preferred size that fits is 4");
        assertNull(b.poll(10), "j4 arrived at 4: it has waited 6 of its 10 ms");
        assertEquals(14, b.nextFlushAtMs());
        Batch<Job> second = b.poll(14);
        assertEquals(FlushReason.MAX_DELAY, second.reason());
        assertEquals(List.of("j4", "j5", "j6"), ids(second), "no preferred size fits 3: the whole queue leaves");
    }

    @Test
    void onADeadlineTakesAPreferredSizeThatHoldsTheTaskAtRisk() {
        // 2 ms per batch whatever its size; j4 (last in queue order) is due at 10
        DeadlineBatcher<Job> b = batcher(16, 1_000, BatchLatencyModel.constant(2), List.of(2, 8));
        offer(b, 4, 0, FAR);
        b.offer(new Job("urgent", 0, 10));
        assertEquals(8, b.nextFlushAtMs());
        assertNull(b.poll(7));
        Batch<Job> batch = b.poll(8);
        assertEquals(FlushReason.DEADLINE, batch.reason());
        assertEquals(List.of("j0", "urgent"), ids(batch), "preferred size 2: the task at risk plus the oldest other");
        assertEquals(3, b.size());
    }

    @Test
    void whenMoreTasksAreAtRiskThanAPreferredSizeHoldsTheWholeQueueLeaves() {
        DeadlineBatcher<Job> b = batcher(16, 1_000, BatchLatencyModel.constant(2), List.of(2, 8));
        offer(b, 3, 0, 10);
        Batch<Job> batch = b.poll(8);
        assertEquals(FlushReason.DEADLINE, batch.reason());
        assertEquals(3, batch.size(), "3 tasks at risk: a batch of 2 would leave one behind to miss");
    }

    @Test
    void theAdaptiveLimitDecidesWhichPreferredSizesAreReachable() {
        DeadlineBatcher<Job> b = batcher(16, 10, BatchLatencyModel.constant(1), List.of(4, 8));
        b.setLimit(6);
        offer(b, 4, 0, FAR);
        Batch<Job> batch = b.poll(0);
        assertNotNull(batch, "8 is out of reach under a limit of 6: 4 is the largest reachable preferred size");
        assertEquals(FlushReason.PREFERRED, batch.reason());
        assertEquals(4, batch.size());

        b.setLimit(4);
        offer(b, 4, 0, FAR);
        assertEquals(FlushReason.FULL, b.poll(0).reason(), "the preferred size is the limit itself");

        b.setLimit(3);
        offer(b, 7, 0, FAR);
        batch = b.poll(0);
        assertEquals(FlushReason.FULL, batch.reason(), "no preferred size fits under 3: the limit is the target");
        assertEquals(3, batch.size());
        assertEquals(3, b.poll(0).size());
        assertNull(b.poll(0));
        assertEquals(1, b.poll(10).size());
    }

    @Test
    void aPreferredSizeEqualToMaxBatchIsAFullBatch() {
        DeadlineBatcher<Job> b = batcher(8, 10, BatchLatencyModel.constant(1), List.of(2, 8));
        offer(b, 9, 0, FAR);
        Batch<Job> batch = b.poll(0);
        assertEquals(FlushReason.FULL, batch.reason());
        assertEquals(8, batch.size());
    }

    @Test
    void refusesPreferredSizesOutsideOneToMaxBatchAndLimitsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> batcher(8, 1, BatchLatencyModel.constant(1), List.of(4, 16)));
        assertThrows(IllegalArgumentException.class, () -> batcher(8, 1, BatchLatencyModel.constant(1), List.of(0)));
        DeadlineBatcher<Job> b = batcher(8, 1, BatchLatencyModel.constant(1), List.of());
        assertThrows(IllegalArgumentException.class, () -> b.setLimit(0));
        assertThrows(IllegalArgumentException.class, () -> b.setLimit(9));
        b.setLimit(8);
        assertEquals(8, b.limit());
    }
}
