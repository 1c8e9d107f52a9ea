package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CpuTimelineTest {
    @Test
    void aWindowSaysWhichThreadsTookTheCoresAndHowFastTheTotalsGrew() throws Exception {
        AtomicLong samples = new AtomicLong();
        long from = System.currentTimeMillis();
        CpuTimeline timeline = CpuTimeline.start(20, () -> Map.of("samples", (double) samples.incrementAndGet()));
        Thread spinner = new Thread(() -> {
            long end = System.nanoTime() + 600_000_000L;
            long x = 0;
            while (System.nanoTime() < end) {
                x += x * 31 + 7; // busy: the thread wants a whole core
            }
            if (x == 42) {
                System.out.println(x);
            }
        }, "timeline-spin"); // under 16 characters: Linux keeps no more of a thread's name
        spinner.start();
        spinner.join();
        timeline.close();
        CpuTimeline.Window w = timeline.window(from, System.currentTimeMillis(), 0.0);
        assertTrue(w.seconds() >= 0.4, "the window spans the samples: " + w.seconds() + " s");
        // a spinning thread on a shared machine gets at least a fair part of a core
        assertTrue(w.coresByGroup().getOrDefault("timeline-spin", 0.0) >= 0.2, "the spinner's cores: " + w.coresByGroup());
        // one sample every 20 ms: about 50 a second (the timer is not exact on a busy machine)
        double rate = w.ratesPerSecond().get("samples");
        assertTrue(rate > 20 && rate < 80, "samples per second: " + rate);
    }

    @Test
    void aWindowWithFewerThanTwoSamplesIsNone() {
        CpuTimeline timeline = CpuTimeline.start(10_000, Map::of);
        timeline.close();
        assertNull(timeline.window(0, Long.MAX_VALUE, 0.0), "one sample at most: nothing to measure between");
        assertThrows(IllegalArgumentException.class, () -> CpuTimeline.start(0, Map::of));
    }

    @Test
    void streamsCommitsAreSummedByStageFromTheStreamThreadsCounters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        counter(registry, "sluice-selector-1b2c-StreamThread-1", 120);
        counter(registry, "sluice-selector-1b2c-StreamThread-2", 30);
        counter(registry, "sluice-aggregator-9f8e-StreamThread-1", 75);
        counter(registry, "some-other-app-StreamThread-1", 1_000); // neither stage: not counted
        Map<String, Double> commits = SimValidation.streamsCommits(registry);
        assertEquals(150.0, commits.get("selector"));
        assertEquals(75.0, commits.get("aggregator"));
        assertEquals(Map.of("selector", 0.0, "aggregator", 0.0), SimValidation.streamsCommits(new SimpleMeterRegistry()));
    }

    private static void counter(SimpleMeterRegistry registry, String threadId, double total) {
        FunctionCounter.builder("kafka.stream.thread.commit.total", total, t -> t).tag("thread.id", threadId).register(registry);
    }
}
