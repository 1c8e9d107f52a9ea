package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.trace.RateTrace;
import dev.sluice.launcher.MeasuredSpeed.Batches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasuredSpeedTest {
    @Test
    void theFactorWeighsTheHeavyVariantsByThePipelinesRequests() {
        Map<String, Batches> pipeline = Map.of("heavy", new Batches(300, 48), "other", new Batches(100, 20),
                "light", new Batches(1_000, 0.3), "rare", new Batches(10, 90));
        Map<String, Batches> sim = Map.of("heavy", new Batches(250, 40), "other", new Batches(120, 25),
                "light", new Batches(1_000, 0.1), "rare", new Batches(12, 30));
        // light (under 8 ms) and rare (under 30 requests) are left out: (300 x 48 + 100 x 20) / (300 x 40 + 100 x 25)
        assertEquals((300 * 48.0 + 100 * 20.0) / (300 * 40.0 + 100 * 25.0), MeasuredSpeed.factor(pipeline, sim), 1e-12);
        assertTrue(Double.isNaN(MeasuredSpeed.factor(Map.of("light", new Batches(1_000, 0.3)), sim)),
                "nothing heavy to match");
        assertTrue(Double.isNaN(MeasuredSpeed.factor(pipeline, Map.of())), "a simulator that ran none of them");
    }

    @Test
    void matchingFindsTheFactorOfASimulatorWhoseBatchesScaleWithIt() {
        // a simulator 20% fast whose batches also grow a little as they slow down
        double f = MeasuredSpeed.match(Map.of("heavy", new Batches(500, 48)),
                factor -> Map.of("heavy", new Batches(500, 40 * factor * (1 + 0.05 * (factor - 1)))));
        assertEquals(48.0, 40 * f * (1 + 0.05 * (f - 1)), 0.1, "factor " + f);
        assertTrue(Double.isNaN(MeasuredSpeed.match(Map.of(), factor -> Map.of())));
    }

    @Test
    void thePipelinesRequestsFileGivesThePolicysBusySecondsBySingleVariant(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("p-requests.csv");
        String header = dev.sluice.bench.OutcomesCsv.HEADER;
        Files.writeString(csv, header + "\n"
                + "fh,r1,1000,1300,1060,OK,true,1,1,vgg-tta,1.00,2.00,10.00,40.00,5.00,\n" // quiet second: left out
                + "fh,r2,12000,12300,12080,OK,true,1,1,vgg-tta,1.00,2.00,10.00,44.00,5.00,\n"
                + "fh,r3,12010,12310,12090,OK,true,1,1,vgg-tta,1.00,2.00,10.00,48.00,5.00,\"a reason, with a comma\"\n"
                + "fh,r4,12020,12320,,DEADLINE_EXCEEDED,false,,1,vgg-tta,,,,,,\"dropped\"\n"
                + "fh,r5,12030,12330,12100,OK,true,1,1,vgg+linear,1.00,2.00,10.00,30.00,5.00,\n" // two variants
                + "other,r6,12040,12340,12100,OK,true,1,1,vgg-tta,1.00,2.00,10.00,99.00,5.00,\n");
        RateTrace burst = s -> s >= 10 && s < 20 ? 350 : 90;
        Map<String, Batches> b = MeasuredSpeed.ofRequestsCsv(csv, "fh", burst, 220);
        assertEquals(Map.of("vgg-tta", new Batches(2, 46)), b);
        assertEquals(List.of("a", "b, c", "d \"e\""), RequestsCsv.fields("a,\"b, c\",\"d \"\"e\"\"\""));
    }
}
