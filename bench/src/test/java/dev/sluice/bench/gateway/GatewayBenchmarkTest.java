package dev.sluice.bench.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.bench.overhead.InterleavedOpenLoop;
import dev.sluice.bench.overhead.LatencyStats;
import dev.sluice.bench.overhead.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GatewayBenchmarkTest {
    /** A test's clock: it moves only when the loop waits or a path takes its time. */
    private static final class FakeTicker implements InterleavedOpenLoop.Ticker {
        long now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void parkUntil(long nanos) {
            now = Math.max(now, nanos);
        }
    }

    /**
     * A path that takes {@code ms} of the test's clock: the loop reads the time before it sends,
     * the send moves the clock on and answers at once, so each request's latency is exactly {@code ms}.
     */
    private static Target delayed(FakeTicker t, long ms) {
        return () -> {
            t.now += ms * 1_000_000;
            return CompletableFuture.completedFuture(Target.Reply.success(0.1, null));
        };
    }

    @Test
    void theInterleavedRunSharesTheArrivalsAndMeasuresEachPathApart() {
        FakeTicker t = new FakeTicker();
        Map<String, Target> paths = new LinkedHashMap<>();
        paths.put("kafka", delayed(t, 5));
        paths.put("http", delayed(t, 25));
        Map<String, LatencyStats> l = new InterleavedOpenLoop(t, 400, 0.2, 1.5, 5, 7).run(paths);
        long a = l.get("kafka").answered();
        long b = l.get("http").answered();
        assertTrue(a + b > 400 && a + b < 800, "about 600 arrivals in 1.5 s: " + (a + b));
        assertTrue(Math.abs(a - b) < 0.3 * (a + b), "split about evenly: " + a + " / " + b);
        assertEquals(200.0, l.get("kafka").offeredRps());
        assertEquals(5.0, l.get("kafka").endToEndMs().p50(), 1e-9);
        assertEquals(25.0, l.get("http").endToEndMs().p50(), 1e-9);
        assertEquals(20.0, GatewayResult.added(l.get("http"), l.get("kafka")).p50(), 1e-9, "the slower path adds 20 ms");
    }
}
