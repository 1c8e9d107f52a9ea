package dev.sluice.decision.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RateTraceTest {
    @Test
    void steadyIsTheSameRateThroughout() {
        RateTrace r = RateTrace.steady(42);
        assertEquals(42, r.rateAt(0));
        assertEquals(42, r.rateAt(1e6));
    }

    @Test
    void burstMultipliesTheBaseInsideAHalfOpenWindow() {
        RateTrace r = RateTrace.steadyWithBurst(100, 3, 10, 20);
        assertEquals(100, r.rateAt(0));
        assertEquals(100, r.rateAt(9.999));
        assertEquals(300, r.rateAt(10), "the window includes its start");
        assertEquals(300, r.rateAt(15));
        assertEquals(300, r.rateAt(19.999));
        assertEquals(100, r.rateAt(20), "and excludes its end");
        assertEquals(100, r.rateAt(100));
    }
}
