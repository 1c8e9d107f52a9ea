package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosLedgerTest {
    /** A kill at t=100 s; its window runs to 115 s and its slot to 140 s; 10 s before it count too. */
    private static final ChaosLedger.Window KILL = new ChaosLedger.Window("aggregator", 100_000, 100_000, 115_000, 140_000, 10_000);

    @Test
    void countsLostDuplicatedAndSloInAndOutsideTheWindow() {
        ChaosLedger l = new ChaosLedger(2_000);
        l.sent("before", 95_000);
        l.answered("before", 95_100, "OK"); // outside, on time
        l.sent("stuck", 99_000);
        l.answered("stuck", 106_000, "OK"); // outside (sent before the kill), late: 7 s
        l.sent("in-late", 101_000);
        l.answered("in-late", 105_500, "OK"); // inside, late
        l.answered("in-late", 105_600, "OK"); // and answered twice
        l.sent("in-ok", 110_000);
        l.answered("in-ok", 110_300, "OK");
        l.sent("in-lost", 112_000); // never answered
        l.sent("after", 120_000);
        l.answered("after", 120_200, "DEADLINE_EXCEEDED"); // outside, answered but not OK
        l.sent("too-early", 80_000); // before the slot: not counted
        l.sent("next-slot", 140_000);
        assertFalse(l.answered("someone-else", 100_000, "OK"));

        Map<String, Object> r = l.measure(KILL);
        assertEquals(6L, r.get("sent"));
        assertEquals(5L, r.get("answered"));
        assertEquals(1L, r.get("lost"));
        assertEquals(1L, r.get("duplicated"));
        assertEquals(0.3333, r.get("slo_in_window")); // in-ok of in-late, in-ok, in-lost
        assertEquals(0.3333, r.get("slo_outside_window")); // before of before, stuck, after
        // the lost request counts as missing until the slot's end: 40 s after the kill
        assertEquals(40.0, r.get("recovery_s"));
        assertEquals(Map.of("OK", 4L, "LOST", 1L, "DEADLINE_EXCEEDED", 1L), r.get("statuses"));
    }

    @Test
    void recoveryIsWhenTheLastLateRequestWasAnswered() {
        ChaosLedger l = new ChaosLedger(2_000);
        l.sent("a", 99_000);
        l.answered("a", 104_200, "OK");
        l.sent("b", 103_000);
        l.answered("b", 104_300, "OK"); // 1.3 s: on time, does not count
        l.sent("c", 100_500);
        l.answered("c", 103_900, "OK");
        Map<String, Object> r = l.measure(KILL);
        assertEquals(4.2, r.get("recovery_s"));
        assertEquals(0L, r.get("lost"));
    }

    @Test
    void nothingMissedMeansNoRecoveryTime() {
        ChaosLedger l = new ChaosLedger(2_000);
        l.sent("a", 101_000);
        l.answered("a", 101_050, "OK");
        assertEquals(0.0, l.measure(KILL).get("recovery_s"));
        assertEquals(0L, l.unanswered());
        assertTrue(l.timeline().contains("a,101000,101050,OK,1"));
    }

    @Test
    void windowsMustBeInOrder() {
        assertThrows(IllegalArgumentException.class, () -> new ChaosLedger.Window("x", 10, 5, 20, 30, 0));
        assertThrows(IllegalArgumentException.class, () -> new ChaosLedger.Window("x", 10, 10, 40, 30, 0));
    }

    @Test
    void readsTheHeapInUseFromAPrometheusExposition() {
        String metrics = "# HELP jvm_memory_used_bytes The amount of used memory\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"Tenured Gen\"} 3.0E7\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"Eden Space\"} 1.5E7\n"
                + "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 5.0E7\n";
        assertEquals(45_000_000L, ChildProcess.heapUsed(metrics));
        assertEquals(-1L, ChildProcess.heapUsed("up 1\n"));
    }
}
