package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code batching:} block of a catalog entry: defaults, every knob, and the errors. */
class BatchingConfigTest {
    private static final String HEAD = "variants:\n- id: a\n  task: t\n  file: a.onnx\n"
            + "  input: {name: i, datatype: FP32, shape: [-1, 4]}\n  output: {name: o, datatype: FP32, shape: [-1, 2]}\n";

    private static BatchingConfig load(Path dir, String batchingYaml) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, HEAD + batchingYaml);
        return Catalog.load(file).variants().get(0).batching();
    }

    private static void assertRefused(Path dir, String batchingYaml, String... messageParts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(dir, batchingYaml));
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    @Test
    void absentBlockOrAbsentKnobsTakeTheDefaults(@TempDir Path dir) throws Exception {
        assertEquals(BatchingConfig.DEFAULT, load(dir, ""));
        BatchingConfig b = load(dir, "  batching:\n    max_batch: 8\n");
        assertEquals(8, b.maxBatch());
        assertEquals(2.0, b.maxDelayMs());
        assertEquals(List.of(), b.preferredBatchSizes());
        assertEquals(1, b.priorityLevels());
        assertFalse(b.adaptive().enabled());
        assertEquals(new BatchingConfig(8, 2.0), b);
    }

    @Test
    void readsEveryKnob(@TempDir Path dir) throws Exception {
        BatchingConfig b = load(dir, "  batching:\n    max_batch: 16\n    max_delay_ms: 1.5\n"
                + "    preferred_batch_sizes: [8, 4, 16]\n    priority_levels: 3\n"
                + "    adaptive: {enabled: true, latency_objective_ms: 5.0, increase: 2, decrease_factor: 0.5}\n");
        assertEquals(16, b.maxBatch());
        assertEquals(1.5, b.maxDelayMs());
        assertEquals(List.of(4, 8, 16), b.preferredBatchSizes(), "kept sorted");
        assertEquals(3, b.priorityLevels());
        assertEquals(new AdaptiveBatching(true, 5.0, 2, 0.5), b.adaptive());
    }

    @Test
    void aNewDelayKeepsEveryOtherKnobAndIsValidated(@TempDir Path dir) throws Exception {
        BatchingConfig b = load(dir, "  batching:\n    max_batch: 16\n    preferred_batch_sizes: [8]\n    priority_levels: 2\n");
        BatchingConfig slower = b.withMaxDelayMs(10);
        assertEquals(10.0, slower.maxDelayMs());
        assertEquals(new BatchingConfig(16, 10.0, List.of(8), 2, b.adaptive()), slower);
        assertThrows(IllegalArgumentException.class, () -> b.withMaxDelayMs(-1));
    }

    @Test
    void anAdaptiveBlockIsOnUnlessItSaysOtherwiseAndDefaultsItsSteps(@TempDir Path dir) throws Exception {
        assertEquals(AdaptiveBatching.towards(4.0), load(dir, "  batching:\n    adaptive: {latency_objective_ms: 4}\n").adaptive());
        AdaptiveBatching off = load(dir, "  batching:\n    adaptive: {enabled: false}\n").adaptive();
        assertFalse(off.enabled());
        assertEquals(AdaptiveBatching.DISABLED, off);
    }

    @Test
    void refusesBadValuesWithTheKnobsName(@TempDir Path dir) {
        assertRefused(dir, "  batching:\n    max_batch: 8\n    preferred_batch_sizes: [4, 16]\n",
                "preferred_batch_sizes", "16", "max_batch = 8");
        assertRefused(dir, "  batching:\n    preferred_batch_sizes: [0]\n", "preferred_batch_sizes", "0");
        assertRefused(dir, "  batching:\n    preferred_batch_sizes: [4, 4]\n", "names 4 twice");
        assertRefused(dir, "  batching:\n    max_batch: 0\n", "max_batch must be >= 1");
        assertRefused(dir, "  batching:\n    max_delay_ms: -1\n", "max_delay_ms");
        assertRefused(dir, "  batching:\n    priority_levels: 0\n", "priority_levels", "[1, 16]");
        assertRefused(dir, "  batching:\n    priority_levels: 17\n", "priority_levels");
        assertRefused(dir, "  batching:\n    adaptive: {enabled: true}\n", "latency_objective_ms");
        assertRefused(dir, "  batching:\n    adaptive: {latency_objective_ms: 0}\n", "latency_objective_ms", "> 0");
        assertRefused(dir, "  batching:\n    adaptive: {latency_objective_ms: 5, decrease_factor: 1.0}\n", "decrease_factor");
        assertRefused(dir, "  batching:\n    adaptive: {latency_objective_ms: 5, increase: 0}\n", "increase");
        assertRefused(dir, "  batching:\n    prefered_batch_sizes: [4]\n", "prefered_batch_sizes");
        assertRefused(dir, "  batching:\n    adaptive: {latency_objective: 5}\n", "latency_objective");
    }

    @Test
    void roundTripsAndWritesOnlyKnobsThatDifferFromTheDefaults(@TempDir Path dir) throws Exception {
        Variant plain = CatalogTest.variant("plain", 0.9, 0.1);
        Variant tuned = new Variant("tuned", plain.task(), plain.modalities(), "tuned.onnx", plain.input(), plain.output(),
                plain.preprocessing(), 0.9, 0.9, plain.profile(), new BatchingConfig(16, 1.0, List.of(4, 8), 4,
                        new AdaptiveBatching(true, 3.0, 1, 0.75)));
        Catalog c = new Catalog(List.of(plain, tuned));
        Path file = dir.resolve("catalog.yaml");
        c.save(file, "");
        assertEquals(c, Catalog.load(file));
        String yaml = Files.readString(file);
        String plainPart = yaml.substring(0, yaml.indexOf("id: tuned"));
        assertFalse(plainPart.contains("preferred_batch_sizes"), plainPart);
        assertFalse(plainPart.contains("priority_levels"), plainPart);
        assertFalse(plainPart.contains("adaptive"), plainPart);
        assertTrue(yaml.contains("priority_levels: 4"), yaml);
        assertTrue(yaml.contains("latency_objective_ms: 3.0"), yaml);
        assertTrue(yaml.contains("decrease_factor: 0.75"), yaml);
    }
}
