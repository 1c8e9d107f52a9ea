package dev.sluice.bench.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.bench.overhead.InterleavedOpenLoop;
import dev.sluice.bench.overhead.LatencyStats;
import dev.sluice.bench.overhead.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GatewayBenchmarkTest {
    /** A path that answers after {@code ms}, without blocking the sender. */
    private static Target after(long ms) {
        Executor delayed = CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS);
        return () -> CompletableFuture.supplyAsync(() -> Target.Reply.success(0.1, null), delayed);
    }

    @Test
    void theInterleavedRunSharesTheArrivalsAndMeasuresEachPathApart() {
        Map<String, Target> paths = new LinkedHashMap<>();
        paths.put("kafka", after(5));
        paths.put("http", after(25));
        Map<String, LatencyStats> l = new InterleavedOpenLoop(400, 0.2, 1.5, 5, 7).run(paths);
        long a = l.get("kafka").answered();
        long b = l.get("http").answered();
        assertTrue(a + b > 400 && a + b < 800, "about 600 arrivals in 1.5 s: " + (a + b));
        assertTrue(Math.abs(a - b) < 0.3 * (a + b), "split about evenly: " + a + " / " + b);
        assertEquals(200.0, l.get("kafka").offeredRps());
        double added = GatewayResult.added(l.get("http"), l.get("kafka")).p50();
        assertTrue(added > 15 && added < 30, "the slower path adds about 20 ms: " + added);
    }
}
