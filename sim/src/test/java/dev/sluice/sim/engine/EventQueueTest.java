package dev.sluice.sim.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventQueueTest {
    @Test
    void earliestFirstAndTiesInSchedulingOrder() {
        EventQueue q = new EventQueue();
        q.schedule(50, 1, "b", 0);
        q.schedule(10, 2, "a", 0);
        q.schedule(50, 3, "c", 0);
        q.schedule(50, 4, "d", 7);
        String order = "";
        while (q.pop()) {
            order += q.subject();
        }
        assertEquals("abcd", order);
        assertEquals(7, q.arg());
    }

    @Test
    void agreesWithAPriorityQueueOnRandomTraffic() {
        EventQueue q = new EventQueue();
        PriorityQueue<long[]> ref = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        SplittableRandom r = new SplittableRandom(3);
        long seq = 0;
        long now = 0;
        for (int i = 0; i < 200_000; i++) {
            if (r.nextInt(3) > 0 || ref.isEmpty()) {
                long t = now + r.nextInt(1_000_000) * 10L; // 10 ns granularity, as the key keeps
                q.schedule(t, 0, null, seq);
                ref.add(new long[] {t, seq++});
            } else {
                q.pop();
                long[] e = ref.poll();
                assertEquals(e[0], q.time());
                assertEquals(e[1], q.arg());
                now = e[0];
            }
        }
        while (!ref.isEmpty()) {
            q.pop();
            assertEquals(ref.poll()[1], q.arg());
        }
        assertFalse(q.pop());
    }
}
