package dev.sluice.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SustainedTest {
    private static final long S = 1_000_000_000L;

    @Test
    void countsOnlyCompletionsInsideTheMeasuredWindow() {
        long from = 10 * S;
        long to = 12 * S;
        // 1 during warm-up, 3 in the first second, 1 in the second, 1 after the end (drain)
        long[] done = {9 * S, from, from + S / 2, from + S - 1, from + S, to};
        Sustained s = Sustained.of(done, from, to, 2, 64, new double[] {10, 20, 30, 40});
        assertEquals(4, s.completed());
        assertEquals(2.0, s.rps(), 1e-9);
        assertEquals(2.0, s.seconds(), 1e-9);
        assertEquals(1, s.minSecondRps(), 1e-9);
        assertEquals(3, s.maxSecondRps(), 1e-9);
        assertEquals(2, s.failed());
        assertEquals(64, s.window());
        assertEquals(20, s.latencyP50Ms(), 1e-9); // nearest rank of 4 values
    }

    @Test
    void aWindowShorterThanASecondHasNoPerSecondSpread() {
        Sustained s = Sustained.of(new long[] {1, 2, 3}, 0, S / 2, 0, 8, new double[0]);
        assertEquals(6.0, s.rps(), 1e-9);
        assertTrue(Double.isNaN(s.minSecondRps()));
        assertTrue(Double.isNaN(s.latencyP50Ms()));
    }

    @Test
    void rejectsAnEmptyWindow() {
        assertThrows(IllegalArgumentException.class, () -> Sustained.of(new long[0], 5, 5, 0, 1, new double[0]));
    }
}
