package dev.sluice.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    @Test
    void parsesUserPlusSystemTicksEvenWithParenthesesAndSpacesInTheName() {
        String stat = "4242 (GC (Thread) 1) S 1 4200 4200 0 -1 4194368 100 0 0 0 170 30 0 0 20 0 1 0 900 0 0";
        ThreadCpu.ThreadTicks t = ThreadCpu.parseStat(stat);
        assertEquals("GC (Thread) 1", t.name());
        assertEquals(200, t.ticks());
    }

    @Test
    void groupsThreadsByNameWithoutTheirNumber() {
        assertEquals("GC Thread", ThreadCpu.group("GC Thread#3"));
        assertEquals("data-plane-kafk", ThreadCpu.group("data-plane-kafk"));
        assertEquals("kafka-producer", ThreadCpu.group("kafka-producer-"));
        assertEquals("StreamThread", ThreadCpu.group("StreamThread-12"));
        assertEquals("executor-vgg-tt", ThreadCpu.group("executor-vgg-tt"));
    }

    @Test
    void coresPerGroupOverTheWindowLargestFirst() {
        Map<Integer, ThreadCpu.ThreadTicks> before = Map.of(
                1, new ThreadCpu.ThreadTicks("executor-vgg-tt", 1000),
                2, new ThreadCpu.ThreadTicks("GC Thread#0", 10),
                3, new ThreadCpu.ThreadTicks("old", 50));
        Map<Integer, ThreadCpu.ThreadTicks> after = Map.of(
                1, new ThreadCpu.ThreadTicks("executor-vgg-tt", 1150),   // 150 ticks
                2, new ThreadCpu.ThreadTicks("GC Thread#0", 20),         // 10
                4, new ThreadCpu.ThreadTicks("GC Thread#1", 10),         // new thread: 10
                5, new ThreadCpu.ThreadTicks("C1 CompilerThre", 1));     // 1: folded into other
        Map<String, Double> cores = ThreadCpu.coresByGroup(before, after, 1.0, 0.05);
        assertEquals(List.of("executor-vgg-tt", "GC Thread", "other"), List.copyOf(cores.keySet()));
        assertEquals(1.5, cores.get("executor-vgg-tt"), 1e-9);
        assertEquals(0.2, cores.get("GC Thread"), 1e-9);
        assertEquals(0.01, cores.get("other"), 1e-9);
        assertFalse(cores.containsKey("old"));
        assertTrue(ThreadCpu.coresByGroup(Map.of(), Map.of(), 1, 0).isEmpty());
    }
}
