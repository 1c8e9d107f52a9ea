package dev.sluice.decision.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class UnreachableTasksTest {
    private record Job(String id, long arrivalMs, long deadlineMs) implements Batchable {}

    private static List<String> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    @Test
    void dropsTasksThatTheBatchLeavingNowPlusTheMarginWouldMake() {
        DeadlineBatcher<Job> b = new DeadlineBatcher<>(8, 2, BatchLatencyModel.constant(10), 16);
        b.offer(new Job("late", 0, 30));
        b.offer(new Job("short", 0, 34));
        b.offer(new Job("edge", 0, 35)); // reach = 0 + 10 + 25: answered exactly at its deadline, which is in time
        b.offer(new Job("early", 0, 20));
        assertEquals(List.of("late", "short", "early"), ids(b.takeUnreachable(0, 25)));
        assertEquals(1, b.size());
    }

    @Test
    void theLatencyIsThatOfTheLargestBatchThatCouldLeaveNow() {
        DeadlineBatcher<Job> b = new DeadlineBatcher<>(4, 2, n -> 5.0 * n, 16);
        for (int i = 0; i < 6; i++) {
            b.offer(new Job("t" + i, 0, 17 + i)); // a batch of 4 (the limit) takes 20 ms
        }
        assertEquals(List.of("t0", "t1", "t2"), ids(b.takeUnreachable(0, 0)));
        // three left: a batch of 3 takes 15 ms, which t3..t5 (deadlines 20..22) still make
        assertEquals(List.of(), ids(b.takeUnreachable(0, 0)));
        b.setLimit(1); // one at a time: 5 ms
        assertEquals(List.of(), ids(b.takeUnreachable(15, 0))); // reach 20
        assertEquals(List.of("t3"), ids(b.takeUnreachable(15, 0.5))); // reach 15 + ceil(5.5) = 21
    }

    @Test
    void withNoMarginAndNoLatencyOnlyTasksPastTheirDeadlineGo() {
        DeadlineBatcher<Job> b = new DeadlineBatcher<>(2, 2, BatchLatencyModel.constant(0), 4);
        b.offer(new Job("past", 0, 9));
        b.offer(new Job("now", 0, 10));
        b.offer(new Job("next", 0, 11));
        assertEquals(List.of("past"), ids(b.takeUnreachable(10, 0)));
        assertEquals(List.of(), ids(b.takeUnreachable(10, 0)));
    }

    @Test
    void refusesANegativeMargin() {
        DeadlineBatcher<Job> b = new DeadlineBatcher<>(2, 2, BatchLatencyModel.constant(1), 4);
        assertThrows(IllegalArgumentException.class, () -> b.takeUnreachable(0, -1));
        assertThrows(IllegalArgumentException.class, () -> b.takeUnreachable(0, Double.NaN));
    }

    @Test
    void aQueueStandsWhenWhatItRunsNextWaitedOverHalfItsTime() {
        DeadlineBatcher<Job> b = new DeadlineBatcher<>(2, 2, BatchLatencyModel.constant(1), 16);
        b.offer(new Job("a", 0, 100));
        b.offer(new Job("b", 10, 110));
        assertFalse(b.standingQueue(80), "one batch or less never stands");
        b.offer(new Job("c", 20, 120));
        assertFalse(b.standingQueue(50), "a waited 50 of its 100 ms");
        assertTrue(b.standingQueue(51));
        b.offer(new Job("d", 30, 130));
        assertEquals(List.of("c", "d"), ids(b.poll(51).tasks()), "standing: newest first, listed in queue order");
        assertEquals(List.of("a", "b"), ids(b.poll(52).tasks()));
    }

    @Test
    void aDrainingQueueStaysFifo() {
        DeadlineBatcher<Job> b = new DeadlineBatcher<>(2, 2, BatchLatencyModel.constant(1), 16);
        for (int i = 0; i < 5; i++) {
            b.offer(new Job("t" + i, i, 1_000));
        }
        assertEquals(List.of("t0", "t1"), ids(b.poll(5).tasks()));
    }

    /**
     * A queue at twice its capacity, stepped by hand: a task arrives every 5 ms with a 300 ms
     * deadline, a batch of up to 4 takes 40 ms (100 tasks/s), and the executor's answer margin is
     * 30 ms. Dropping only expired tasks answers almost none in time; dropping unreachable ones
     * answers about the capacity, and still does when answers really need twice the margin after
     * their batch (a loaded transport): the standing queue runs newest first.
     */
    @Test
    void underOverloadDroppingUnreachableTasksKeepsGoodputAtCapacity() {
        int onTimeExpiredOnly = overload(false, 30);
        int onTimeUnreachable = overload(true, 30);
        int onTimeSlowTransport = overload(true, 60);
        // 10 s at 100 tasks/s of capacity: about 1,000 can be answered in time
        assertTrue(onTimeUnreachable >= 900, "unreachable dropped: " + onTimeUnreachable + " in time");
        assertTrue(onTimeSlowTransport >= 900, "answers needing 60 ms: " + onTimeSlowTransport + " in time");
        assertTrue(onTimeExpiredOnly < 100, "expired dropped only: " + onTimeExpiredOnly + " in time");
    }

    private static int overload(boolean dropUnreachable, long answerNeedsMs) {
        long batchMs = 40, marginMs = 30, deadlineMs = 300;
        DeadlineBatcher<Job> b = new DeadlineBatcher<>(4, 2, BatchLatencyModel.constant(batchMs), 4096);
        int onTime = 0, next = 0;
        long busyUntil = 0;
        for (long now = 0; now < 10_000; now++) {
            if (now % 5 == 0) {
                b.offer(new Job("r" + next++, now, now + deadlineMs));
            }
            if (now < busyUntil) {
                continue;
            }
            if (dropUnreachable) {
                b.takeUnreachable(now, marginMs);
            } else {
                b.takeExpired(now);
            }
            Batch<Job> batch = b.poll(now);
            if (batch != null) {
                busyUntil = now + batchMs;
                for (Job j : batch.tasks()) {
                    if (busyUntil + answerNeedsMs <= j.deadlineMs()) {
                        onTime++;
                    }
                }
            }
        }
        return onTime;
    }
}
