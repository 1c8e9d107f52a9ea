package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.sim.answers.SampleAnswers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-image answers the simulator uses, computed with ONNX Runtime from the committed models. */
class SimAnswersCacheTest {
    private static final Path MODELS = Path.of("../models");

    /** The committed catalog cut down to two light variants (ONNX Runtime over 10,000 images takes a second or two). */
    private static Catalog light() {
        Catalog full = Catalog.load(MODELS.resolve("catalog.yaml"));
        List<Variant> keep = new ArrayList<>();
        for (String id : List.of("linear", "mlp")) {
            keep.add(full.variant(id).orElseThrow());
        }
        return new Catalog(keep);
    }

    @Test
    void answersReproduceTheCatalogsMeasuredAccuracyAndAreCached(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("answers");
        List<String> lines = new ArrayList<>();
        SampleAnswers a = SimAnswersCache.load(light(), MODELS, "fashion-mnist", cache, lines::add);
        assertEquals(10_000, a.samples());
        // ./sluice profile measured the same models on the same images with the same runtime
        assertEquals(0.8454, a.accuracy("linear"), 1e-9);
        assertEquals(0.8935, a.accuracy("mlp"), 1e-9);
        assertEquals(SimAnswersCache.sha256(MODELS.resolve("linear.onnx")), a.fingerprint("linear"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("computing per-image answers")), lines.toString());

        long written = Files.getLastModifiedTime(cache).toMillis();
        lines.clear();
        SampleAnswers again = SimAnswersCache.load(light(), MODELS, "fashion-mnist", cache, lines::add);
        assertEquals(List.of(), lines); // nothing recomputed: the fingerprints match
        assertEquals(written, Files.getLastModifiedTime(cache).toMillis());
        assertEquals(a.probabilities("mlp", 1234), again.probabilities("mlp", 1234));
    }

    @Test
    void aChangedModelFileIsRunAgainAndTheOthersAreKept(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("answers");
        SimAnswersCache.load(light(), MODELS, "fashion-mnist", cache, l -> {});
        // the same catalog, but "mlp" now loads linear.onnx: a different model file under the same id
        Catalog c = light();
        Variant mlp = c.variant("mlp").orElseThrow();
        Variant swapped = new Variant(mlp.id(), mlp.task(), mlp.modalities(), "linear.onnx", mlp.input(), mlp.output(),
                mlp.preprocessing(), mlp.accuracy(), mlp.pythonAccuracy(), mlp.profile(), mlp.batching());
        List<String> lines = new ArrayList<>();
        SampleAnswers b = SimAnswersCache.load(c.with(swapped), MODELS, "fashion-mnist", cache, lines::add);
        assertTrue(lines.get(0).contains("[mlp]"), lines.toString()); // only the changed one is run
        assertFalse(lines.get(0).contains("linear,"), lines.toString());
        assertEquals(b.accuracy("linear"), b.accuracy("mlp"), 1e-12);
        assertNotEquals(0.8935, b.accuracy("mlp"), 1e-6);
    }
}
