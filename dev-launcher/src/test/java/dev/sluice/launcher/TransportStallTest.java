package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportStallTest {
    @Test
    void theWorstSecondsMedianRequestHopMarksAStall() {
        Map<Long, List<Double>> bySecond = new TreeMap<>();
        bySecond.put(0L, repeat(4.0, 20));
        bySecond.put(1L, repeat(12.0, 20));
        List<Double> stalled = repeat(5.0, 9); // 9 quick, 12 slow: the median is slow
        stalled.addAll(repeat(140.0, 12));
        bySecond.put(2L, stalled);
        bySecond.put(3L, repeat(900.0, TransportStall.MIN_REQUESTS - 1)); // too few to judge
        TransportStall.Worst w = TransportStall.worst(bySecond);
        assertEquals(140.0, w.medianMs());
        assertEquals(2, w.second());
        assertTrue(w.stalled());
        assertFalse(new TransportStall.Worst(TransportStall.STALL_MS, 0).stalled(), "at the threshold: not a stall");
        assertNull(TransportStall.worst(Map.of(0L, repeat(1.0, 3))), "no second with enough requests");
    }

    @Test
    void readsTheRequestHopFromARequestsFile(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder(dev.sluice.bench.OutcomesCsv.HEADER).append('\n');
        for (int i = 0; i < 30; i++) { // second 0: 3 + 1 ms; second 1: 60 + 2 ms; another policy's slow rows ignored
            dev.sluice.bench.OutcomesCsv.row(csv, "a", "r" + i, i < 15 ? 10L * i : 1000 + 10L * i, 300, 400L, "OK", true, 1, 1,
                    List.of("vgg"), i < 15 ? new double[] {3, 1, 5, 6, 7} : new double[] {60, 2, 5, 6, 7}, null);
            dev.sluice.bench.OutcomesCsv.row(csv, "b", "s" + i, 10L * i, 300, 400L, "OK", true, 1, 1, List.of("vgg"),
                    new double[] {500, 1, 5, 6, 7}, "a, quoted reason");
        }
        Path f = dir.resolve("pipe-requests.csv");
        Files.writeString(f, csv);
        Map<String, TransportStall.Worst> byPolicy = TransportStall.ofRequestsCsv(f);
        TransportStall.Worst w = byPolicy.get("a");
        assertEquals(62.0, w.medianMs(), 1e-9);
        assertEquals(1, w.second());
        assertTrue(w.stalled());
        assertTrue(byPolicy.get("b").stalled());
        assertNull(byPolicy.get("c"), "a policy not in the file");
    }

    private static List<Double> repeat(double v, int n) {
        List<Double> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(v);
        }
        return l;
    }
}
