package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DecayingRateTest {
    @Test
    void aSteadyStreamReadsItsRateAndSilenceDecaysIt() {
        DecayingRate r = new DecayingRate(0.1);
        long ns = 0;
        for (int i = 0; i < 2_000; i++) { // 200/s for 10 s
            ns += 5_000_000;
            r.count(ns);
        }
        // sampled half-way between events, a steady 200/s reads 200 within the sawtooth's few percent
        assertEquals(200, r.at(ns + 2_500_000), 200 * 0.03);
        assertEquals(r.at(ns) * Math.exp(-1), r.at(ns + 100_000_000), 1e-9, "one time constant later: 1/e of it");
        assertEquals(0, new DecayingRate(0.1).at(1_000_000_000L));
        assertThrows(IllegalArgumentException.class, () -> new DecayingRate(0));
    }
}
