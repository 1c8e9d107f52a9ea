package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.common.Health;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class ShutdownTest {
    @Test
    void aComponentWhoseStreamsClientDiedEndsTheWaitWithANonZeroStatus() {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
        Health health = new Health().streams("bridge", state::get);
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            }
            state.set(KafkaStreams.State.ERROR);
        });
        killer.start();
        long t0 = System.nanoTime();
        int code = Shutdown.waitFor(new CountDownLatch(1), health);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Shutdown.COMPONENT_DOWN, code);
        assertTrue(ms >= 600 && ms < 5_000, "noticed within a check interval of the death: " + ms + " ms");
    }

    @Test
    void startingIsNotDown() throws Exception {
        Health health = new Health().streams("aggregator", () -> KafkaStreams.State.CREATED);
        CountDownLatch stop = new CountDownLatch(1);
        int[] code = {-1};
        Thread waiter = new Thread(() -> code[0] = Shutdown.waitFor(stop, health));
        waiter.start();
        waiter.join(1_500);
        assertTrue(waiter.isAlive(), "a component still starting keeps the process waiting");
        stop.countDown();
        waiter.join(5_000);
        assertEquals(0, code[0], "a stop signal ends the wait with 0");
    }
}
