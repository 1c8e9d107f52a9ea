package dev.sluice.decision.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Priority levels on a virtual clock (ms from 0). */
class PriorityBatchingTest {
    private record Job(String id, long arrivalMs, long deadlineMs, int priority) implements Batchable {}

    private static final long FAR = 1_000_000;

    private static DeadlineBatcher<Job> batcher(int maxBatch, double maxDelayMs, BatchLatencyModel latency, int levels) {
        return new DeadlineBatcher<>(maxBatch, maxDelayMs, latency, 256, List.of(), levels);
    }

    private static List<String> ids(Batch<Job> b) {
        return b.tasks().stream().map(Job::id).toList();
    }

    @Test
    void higherLevelsLeaveFirstAndArrivalOrderHoldsWithinALevel() {
        DeadlineBatcher<Job> b = batcher(2, 10, BatchLatencyModel.constant(1), 3);
        b.offer(new Job("low-1", 0, FAR, 0));
        b.offer(new Job("low-2", 1, FAR, 0));
        b.offer(new Job("high-1", 2, FAR, 2));
        b.offer(new Job("mid-1", 3, FAR, 1));
        b.offer(new Job("high-2", 4, FAR, 2));
        assertEquals(List.of("high-1", "high-2"), ids(b.poll(4)));
        assertEquals(List.of("mid-1", "low-1"), ids(b.poll(4)));
        assertNull(b.poll(4));
        assertEquals(List.of("low-2"), ids(b.poll(11)));
    }

    @Test
    void outOfRangePrioritiesAreClampedIntoTheLevels() {
        DeadlineBatcher<Job> b = batcher(1, 0, BatchLatencyModel.constant(1), 3);
        assertEquals(3, b.priorityLevels());
        assertEquals(0, b.levelOf(-7));
        assertEquals(2, b.levelOf(99));
        b.offer(new Job("neg", 0, FAR, -7));
        b.offer(new Job("top", 1, FAR, 2));
        b.offer(new Job("zero", 2, FAR, 0));
        b.offer(new Job("huge", 3, FAR, 99));
        List<String> order = new ArrayList<>();
        Batch<Job> batch;
        while ((batch = b.poll(10)) != null) {
            order.addAll(ids(batch));
        }
        assertEquals(List.of("top", "huge", "neg", "zero"), order, "99 counts as the top level, -7 as level 0");
    }

    @Test
    void oneLevelIsFifoWhateverThePriority() {
        DeadlineBatcher<Job> b = batcher(3, 10, BatchLatencyModel.constant(1), 1);
        b.offer(new Job("a", 0, FAR, 0));
        b.offer(new Job("b", 0, FAR, 5));
        b.offer(new Job("c", 0, FAR, 1));
        assertEquals(List.of("a", "b", "c"), ids(b.poll(0)));
    }

    @Test
    void maxDelayCountsFromTheOldestTaskOfAnyLevel() {
        DeadlineBatcher<Job> b = batcher(8, 10, BatchLatencyModel.constant(1), 2);
        b.offer(new Job("low", 0, FAR, 0));
        b.offer(new Job("high", 5, FAR, 1));
        assertEquals(10, b.nextFlushAtMs());
        Batch<Job> batch = b.poll(10);
        assertEquals(FlushReason.MAX_DELAY, batch.reason());
        assertEquals(List.of("high", "low"), ids(batch));
    }

    @Test
    void aFullBatchMakesRoomForALowPriorityTaskAtRisk() {
        DeadlineBatcher<Job> b = batcher(2, 1_000, BatchLatencyModel.constant(3), 2);
        b.offer(new Job("low", 0, 10, 0));
        for (int i = 1; i <= 3; i++) {
            b.offer(new Job("high-" + i, 0, FAR, 1));
        }
        assertEquals(List.of("high-1", "high-2"), ids(b.poll(0)), "far from its deadline the low task waits");
        b.offer(new Job("high-4", 7, FAR, 1));
        assertEquals(List.of("high-3", "low"), ids(b.poll(7)), "7 + 3 ms reaches its deadline at 10: it goes now");
    }

    @Test
    void underHeavyHighPriorityLoadEveryLowPriorityTaskStillMeetsItsDeadline() {
        // 4 high-priority tasks arrive every ms; a batch of 4 takes 1 ms, so high tasks alone keep
        // the model busy. Low tasks (one every 5 ms, due 20 ms after arrival) must not starve.
        double perBatchMs = 1;
        DeadlineBatcher<Job> b = batcher(4, 2, BatchLatencyModel.constant(perBatchMs), 2);
        List<Long> lowFinishLateness = new ArrayList<>();
        List<Job> lows = new ArrayList<>();
        int seq = 0;
        for (long now = 0; now < 200; now++) {
            for (int i = 0; i < 4; i++) {
                b.offer(new Job("h" + seq++, now, now + 50, 1));
            }
            if (now % 5 == 0) {
                Job low = new Job("l" + now, now, now + 20, 0);
                lows.add(low);
                b.offer(low);
            }
            assertEquals(List.of(), b.takeExpired(now), "nothing expires at " + now);
            // the model runs one batch per ms of virtual time
            Batch<Job> batch = b.poll(now);
            if (batch != null) {
                for (Job j : batch.tasks()) {
                    if (j.priority() == 0) {
                        lowFinishLateness.add((long) (now + perBatchMs) - j.deadlineMs());
                    }
                }
            }
        }
        assertTrue(lowFinishLateness.size() >= lows.size() - 4, "low tasks ran: " + lowFinishLateness.size() + " of " + lows.size());
        for (long late : lowFinishLateness) {
            assertTrue(late <= 0, "a low-priority task finished " + late + " ms after its deadline");
        }
    }

    @Test
    void expiryAndRemovalWorkAcrossLevels() {
        DeadlineBatcher<Job> b = batcher(8, 1_000, BatchLatencyModel.constant(0), 3);
        b.offer(new Job("a", 0, 10, 0));
        b.offer(new Job("b", 0, 50, 2));
        b.offer(new Job("c", 0, 5, 2));
        b.offer(new Job("d", 0, 50, 1));
        assertEquals(List.of("c", "a"), b.takeExpired(10).stream().map(Job::id).toList(), "queue order");
        assertEquals(List.of("d"), b.remove(j -> j.id().equals("d")).stream().map(Job::id).toList());
        assertEquals(1, b.size());
        assertThrows(IllegalArgumentException.class, () -> batcher(8, 1, BatchLatencyModel.constant(0), 0));
    }
}
