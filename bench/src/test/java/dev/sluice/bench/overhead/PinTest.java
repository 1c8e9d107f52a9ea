package dev.sluice.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.decision.policy.Selection;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class PinTest {
    /**
     * The benchmark measures the slowest and the fastest variant of the committed catalog; each
     * must be what its pinned policy serves. (It once pinned with fixed-high, the most accurate
     * variant, which stopped being the slowest when vgg-b-tta joined the zoo.)
     */
    @Test
    void theSlowestAndFastestVariantsOfTheCatalogAreEachServedByTheirPin() {
        Catalog catalog = Catalog.load(Path.of("..", "models", "catalog.yaml"));
        List<Variant> profiled = catalog.forTask("fashion-mnist").stream().filter(Variant::isProfiled).toList();
        assertTrue(profiled.size() >= 2, "the committed catalog is profiled");
        Comparator<Variant> byLatency = Comparator.comparingDouble(v -> v.profile().p50Ms(1));
        for (Variant v : List.of(profiled.stream().max(byLatency).orElseThrow(), profiled.stream().min(byLatency).orElseThrow())) {
            Selection s = OverheadBenchmark.pinnedSelection(v, catalog);
            assertTrue(s.serve(), v.id() + ": " + s);
            assertEquals(List.of(v.id()), s.variants());
        }
    }
}
