package dev.sluice.executor.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.ResidentMemory;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RSS growth of real sessions of the committed models. */
class MemoryProfilerTest {
    private static final Path DIR = Path.of("../models");

    @Test
    void chargesEachModelAtLeastItsWeights() {
        assumeTrue(ResidentMemory.rssBytes() > 0, "no /proc/self/status here");
        List<Variant> vs = Catalog.load(DIR.resolve("catalog.yaml")).variants();
        Map<String, Double> mb = new MemoryProfiler(Device.CPU, 1).measure(vs, DIR, System.out::println);
        assertEquals(vs.stream().map(Variant::id).toList(), List.copyOf(mb.keySet()));
        for (Variant v : vs) {
            double fileMb = v.resolve(DIR).toFile().length() / 1048576.0;
            if (fileMb > 1) {
                // the weights must be in memory once the session serves; small files drown in RSS noise
                assertTrue(mb.get(v.id()) >= fileMb, v.id() + ": " + mb.get(v.id()) + " MB < file " + fileMb + " MB");
            }
        }
    }
}
