package dev.sluice.decision.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batcher on a virtual clock: every time is passed in, in ms from 0. */
class DeadlineBatcherTest {
    private record Job(String id, long arrivalMs, long deadlineMs) implements Batchable {}

    private static final long FAR = 1_000_000;

    private static List<String> ids(Batch<Job> b) {
        return b.tasks().stream().map(Job::id).toList();
    }

    private static List<String> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    private static DeadlineBatcher<Job> batcher(int maxBatch, double maxDelayMs, BatchLatencyModel latency, int capacity) {
        return new DeadlineBatcher<>(maxBatch, maxDelayMs, latency, capacity);
    }

    @Test
    void emptyBatcherHasNothingToFlush() {
        DeadlineBatcher<Job> b = batcher(4, 5, BatchLatencyModel.constant(1), 8);
        assertNull(b.poll(0));
        assertNull(b.poll(FAR));
        assertEquals(Long.MAX_VALUE, b.nextFlushAtMs());
    }

    @Test
    void flushesFullBatchesImmediatelyInArrivalOrder() {
        DeadlineBatcher<Job> b = batcher(3, 10, BatchLatencyModel.constant(1), 10);
        for (String id : List.of("a", "b", "c", "d")) {
            b.offer(new Job(id, 0, FAR));
        }
        assertEquals(Long.MIN_VALUE, b.nextFlushAtMs(), "a full batch is due now");
        Batch<Job> first = b.poll(0);
        assertNotNull(first);
        assertEquals(FlushReason.FULL, first.reason());
        assertEquals(List.of("a", "b", "c"), ids(first));
        assertEquals(3, first.size());
        assertEquals(1, b.size());
        assertNull(b.poll(0), "one task, fresh, far from its deadline: wait");
    }

    @Test
    void flushesAfterMaxDelay() {
        DeadlineBatcher<Job> b = batcher(8, 10, BatchLatencyModel.constant(1), 16);
        b.offer(new Job("a", 0, FAR));
        b.offer(new Job("b", 4, FAR));
        assertEquals(10, b.nextFlushAtMs(), "due max_delay after the oldest arrival");
        assertNull(b.poll(9));
        Batch<Job> batch = b.poll(10);
        assertNotNull(batch);
        assertEquals(FlushReason.MAX_DELAY, batch.reason());
        assertEquals(List.of("a", "b"), ids(batch));
        assertEquals(0, b.size());
    }

    @Test
    void fractionalMaxDelayRoundsUp() {
        DeadlineBatcher<Job> b = batcher(8, 2.5, BatchLatencyModel.constant(0), 16);
        b.offer(new Job("a", 100, FAR));
        assertEquals(103, b.nextFlushAtMs());
        assertNull(b.poll(102));
        assertEquals(FlushReason.MAX_DELAY, b.poll(103).reason());
    }

    @Test
    void flushesEarlyWhenWaitingWouldMissTheEarliestDeadline() {
        // 5 ms per task in the batch; max delay far away
        DeadlineBatcher<Job> b = batcher(8, 1_000, n -> 5.0 * n, 16);
        b.offer(new Job("a", 0, 40));
        b.offer(new Job("b", 0, 12)); // the earliest deadline is not the oldest task's
        assertEquals(2, b.nextFlushAtMs(), "12 - latency(2) = 12 - 10");
        assertNull(b.poll(1), "1 + 10 < 12: waiting is still fine");
        Batch<Job> batch = b.poll(2);
        assertNotNull(batch);
        assertEquals(FlushReason.DEADLINE, batch.reason());
        assertEquals(List.of("a", "b"), ids(batch), "FIFO order, not deadline order");
    }

    @Test
    void deadlineFlushAccountsForTheBatchItWouldJoin() {
        DeadlineBatcher<Job> b = batcher(8, 1_000, n -> 5.0 * n, 16);
        b.offer(new Job("a", 0, 20));
        assertEquals(15, b.nextFlushAtMs(), "alone: 20 - 5");
        b.offer(new Job("b", 1, FAR));
        b.offer(new Job("c", 1, FAR));
        assertEquals(5, b.nextFlushAtMs(), "a batch of 3 takes 15 ms: 20 - 15");
        assertNull(b.poll(4));
        assertEquals(FlushReason.DEADLINE, b.poll(5).reason());
    }

    @Test
    void nextFlushIsTheEarlierOfDelayAndDeadline() {
        DeadlineBatcher<Job> b = batcher(8, 10, BatchLatencyModel.constant(3), 16);
        b.offer(new Job("a", 0, 100));
        assertEquals(10, b.nextFlushAtMs());
        b.offer(new Job("b", 0, 8));
        assertEquals(5, b.nextFlushAtMs());
    }

    @Test
    void takeExpiredReturnsTasksAtOrPastTheirDeadline() {
        DeadlineBatcher<Job> b = batcher(8, 1_000, BatchLatencyModel.constant(0), 16);
        b.offer(new Job("a", 0, 50));
        b.offer(new Job("b", 0, 10));
        b.offer(new Job("c", 0, 30));
        b.offer(new Job("d", 0, 10));
        assertEquals(List.of(), b.takeExpired(9));
        assertEquals(List.of("b", "d"), ids(b.takeExpired(10)));
        assertEquals(2, b.size());
        assertEquals(List.of("c"), ids(b.takeExpired(35)));
        List<String> left = new ArrayList<>();
        b.forEach(j -> left.add(j.id()));
        assertEquals(List.of("a"), left);
    }

    @Test
    void capacityLimitsOffers() {
        DeadlineBatcher<Job> b = batcher(2, 10, BatchLatencyModel.constant(1), 3);
        assertEquals(3, b.capacity());
        for (int i = 0; i < 3; i++) {
            assertTrue(b.hasRoom());
            b.offer(new Job("j" + i, 0, FAR));
        }
        assertFalse(b.hasRoom());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.offer(new Job("x", 0, FAR)));
        assertTrue(e.getMessage().contains("full (3)"), e.getMessage());
        assertEquals(3, b.size());
        b.poll(0); // a full batch of 2 leaves
        assertTrue(b.hasRoom());
    }

    @Test
    void removeTakesOutMatchingTasksOnly() {
        DeadlineBatcher<Job> b = batcher(8, 10, BatchLatencyModel.constant(1), 16);
        for (String id : List.of("p0-a", "p1-a", "p0-b", "p1-b")) {
            b.offer(new Job(id, 0, FAR));
        }
        assertEquals(List.of("p1-a", "p1-b"), ids(b.remove(j -> j.id().startsWith("p1"))));
        assertEquals(List.of(), b.remove(j -> j.id().startsWith("p7")));
        assertEquals(List.of("p0-a", "p0-b"), ids(b.poll(10)));
    }

    @Test
    void fifoAcrossSeveralBatches() {
        DeadlineBatcher<Job> b = batcher(2, 0, BatchLatencyModel.constant(0), 8);
        for (int i = 0; i < 5; i++) {
            b.offer(new Job("j" + i, i, FAR));
        }
        List<String> order = new ArrayList<>();
        Batch<Job> batch;
        while ((batch = b.poll(10)) != null) {
            order.addAll(ids(batch));
        }
        assertEquals(List.of("j0", "j1", "j2", "j3", "j4"), order);
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> batcher(0, 1, BatchLatencyModel.constant(1), 4));
        assertThrows(IllegalArgumentException.class, () -> batcher(4, -1, BatchLatencyModel.constant(1), 4));
        assertThrows(IllegalArgumentException.class, () -> batcher(4, 1, BatchLatencyModel.constant(1), 3));
    }

    @Test
    void deadlineFlushLeavesTimeToFinishWithFractionalLatency() {
        // 2.5 ms per batch, deadline at 100: flushing at 97 finishes at 99.5; at 98 it would finish at 100.5
        DeadlineBatcher<Job> b = batcher(8, 1_000, BatchLatencyModel.constant(2.5), 16);
        b.offer(new Job("a", 0, 100));
        assertEquals(97, b.nextFlushAtMs());
        Batch<Job> batch = b.poll(97);
        assertNotNull(batch, "waiting until 98 would make the task miss its deadline");
        assertEquals(FlushReason.DEADLINE, batch.reason());
    }
}
