package dev.sluice.decision.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {
    /** How many arrivals of the schedule fall in [from, to) seconds, reading it up to {@code to}. */
    private static int[] countPerSecond(ArrivalSchedule s, int seconds) {
        int[] counts = new int[seconds];
        double t;
        while ((t = s.next()) < seconds) {
            counts[(int) t]++;
        }
        return counts;
    }

    @Test
    void steadyRateSpacesArrivalsEvenly() {
        ArrivalSchedule s = new ArrivalSchedule(RateTrace.steady(100));
        double first = s.next();
        assertEquals(0.01, first, 0.002);
        double previous = first;
        for (int i = 2; i <= 100; i++) {
            double t = s.next();
            assertEquals(0.01, t - previous, 0.0015, "gap before arrival " + i);
            previous = t;
        }
        assertEquals(1.0, previous, 0.005, "the 100th arrival of 100 rps is due at ~1 s");
    }

    @Test
    void timesNeverGoBackwards() {
        ArrivalSchedule s = new ArrivalSchedule(RateTrace.steadyWithBurst(50, 4, 0.5, 1.0));
        double previous = 0;
        for (int i = 0; i < 500; i++) {
            double t = s.next();
            assertTrue(t > previous);
            previous = t;
        }
    }

    @Test
    void burstDoublesTheDensityInsideItsWindow() {
        int[] perSecond = countPerSecond(new ArrivalSchedule(RateTrace.steadyWithBurst(100, 2, 1.0, 2.0)), 3);
        assertEquals(100, perSecond[0], 1);
        assertEquals(200, perSecond[1], 1);
        assertEquals(100, perSecond[2], 1);
    }

    @Test
    void coarserStepStillMatchesTheRate() {
        ArrivalSchedule s = new ArrivalSchedule(RateTrace.steady(10), 0.01);
        double t = 0;
        for (int i = 0; i < 10; i++) {
            t = s.next();
        }
        assertEquals(1.0, t, 0.02);
    }

    @Test
    void zeroRateNeverReachesARequest() {
        ArrivalSchedule s = new ArrivalSchedule(RateTrace.steady(0), 10.0);
        assertThrows(IllegalStateException.class, s::next);
    }

    @Test
    void negativeRatesCountAsZero() {
        // -100 rps for the first second, then 100 rps: the first arrival comes after 1 s
        ArrivalSchedule s = new ArrivalSchedule(t -> t < 1.0 ? -100 : 100);
        assertEquals(1.01, s.next(), 0.002);
    }
}
