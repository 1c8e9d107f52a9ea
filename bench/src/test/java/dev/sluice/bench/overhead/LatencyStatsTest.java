package dev.sluice.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {
    @Test
    void addedLatencyIsEndToEndMinusReportedCompute() {
        List<LatencyStats.Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            // end to end i + 20 ms, of which 20 ms model compute: added is i
            samples.add(new LatencyStats.Sample(true, i + 20, 20, new Target.Stages(1, 2, i, 20, 3)));
        }
        samples.add(LatencyStats.Sample.failed());
        LatencyStats s = LatencyStats.of(samples, 4, 50, 10);
        assertEquals(100, s.answered());
        assertEquals(1, s.failed());
        assertEquals(4, s.unanswered());
        assertEquals(70, s.endToEndMs().p50(), 1e-9);
        assertEquals(119, s.endToEndMs().p99(), 1e-9);
        assertEquals(50, s.addedMs().p50(), 1e-9);
        assertEquals(99, s.addedMs().p99(), 1e-9);
        assertEquals(50, s.stagesP50Ms().get("queue"), 1e-9);
        assertEquals(20, s.stagesP50Ms().get("compute"), 1e-9);
        assertEquals(3, s.stagesP50Ms().get("aggregate"), 1e-9);
    }

    @Test
    void theBareChainHasNoComputeAndNoStages() {
        LatencyStats s = LatencyStats.of(List.of(new LatencyStats.Sample(true, 12.345, 0, null)), 0, 10, 1);
        assertEquals(12.35, s.endToEndMs().p50(), 1e-9);
        assertEquals(s.endToEndMs(), s.addedMs());
        assertTrue(s.stagesP50Ms().isEmpty());
    }

    @Test
    void noAnswersGiveNaNPercentiles() {
        LatencyStats s = LatencyStats.of(List.of(), 3, 10, 1);
        assertTrue(Double.isNaN(s.endToEndMs().p50()));
        assertEquals(3, s.unanswered());
    }
}
