package dev.sluice.sim.hops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.sim.hops.HopLatencies.Hop;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HopLatenciesTest {
    private static final String FILE = """
            # command: ./sluice sim measure-hops --rate 50
            # measured: today
            quantiles 3
            request 1 2 10
            task 2 4 6
            output 1 1 1
            result 0 1 2
            plan = task
            status = output
            cancel = output
            """;

    @Test
    void parsesValuesAliasesAndProvenance() {
        HopLatencies h = HopLatencies.parse(FILE, "test");
        assertEquals(2, h.of(Hop.REQUEST).median());
        assertEquals(4, h.of(Hop.PLAN).median());
        assertEquals(1, h.of(Hop.STATUS).median());
        assertEquals(2, h.provenance().size());
        assertEquals(2 + 4 + 1 + 1, h.medianPathMs());
    }

    @Test
    void samplesInvertTheQuantiles() {
        HopLatencies.Quantiles q = new HopLatencies.Quantiles(new double[] {1, 2, 10});
        assertEquals(1, q.at(0));
        assertEquals(1.5, q.at(0.25));
        assertEquals(6, q.at(0.75));
        HopLatencies h = HopLatencies.parse(FILE, "test");
        SplittableRandom r = new SplittableRandom(1);
        int below = 0;
        for (int i = 0; i < 10_000; i++) {
            double x = h.sampleMs(Hop.REQUEST, r);
            assertTrue(x >= 1 && x <= 10);
            below += x <= 2 ? 1 : 0;
        }
        assertEquals(5000, below, 300);
    }

    @Test
    void aHopsMeanIsTheMeanOfItsDraws() {
        HopLatencies.Quantiles q = new HopLatencies.Quantiles(new double[] {1, 2, 10});
        assertEquals((1.5 + 6) / 2, q.mean(), 1e-12); // each half of the draws uniform over its span
        SplittableRandom r = new SplittableRandom(3);
        double sum = 0;
        for (int i = 0; i < 200_000; i++) {
            sum += q.at(r.nextDouble());
        }
        assertEquals(q.mean(), sum / 200_000, 0.02);
        assertEquals(4.0, HopLatencies.Quantiles.constant(4).mean(), 1e-12);
    }

    @Test
    void rejectsMissingHopsAndBadLines() {
        assertThrows(IllegalArgumentException.class, () -> HopLatencies.parse("quantiles 2\nrequest 1 2\n", "t"));
        assertThrows(IllegalArgumentException.class, () -> HopLatencies.parse(FILE.replace("task 2 4 6", "task 2 4"), "t"));
        assertThrows(IllegalArgumentException.class, () -> HopLatencies.parse(FILE.replace("task 2 4 6", "task 5 4 6"), "t"));
    }

    @Test
    void theShippedFileIsMeasuredAndSaysHow() {
        HopLatencies h = HopLatencies.defaults();
        assertTrue(h.provenance().stream().anyMatch(p -> p.startsWith("command: ./sluice sim measure-hops")), h.provenance().toString());
        assertFalse(h.medianPathMs() <= 0);
    }
}
