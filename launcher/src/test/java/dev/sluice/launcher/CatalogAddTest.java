package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.executor.profile.OnnxSignature;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.OutputKind;
import dev.sluice.models.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bringing a model nobody here trained: drafted from its ONNX file, checked, measured, added. */
class CatalogAddTest {
    private static final Path ZOO = Path.of("../models");
    private static final Catalog CATALOG = Catalog.load(ZOO.resolve("catalog.yaml"));
    private static final TensorSpec IMAGE = new TensorSpec("pixels", "FP32", List.of(-1L, 1L, 28L, 28L));
    private static final TensorSpec SCORES = new TensorSpec("scores", "FP32", List.of(-1L, 10L));

    @Test
    void aModelFromElsewhereIsMeasuredAndAdded(@TempDir Path tmp) throws Exception {
        Path catalogDir = Files.createDirectories(tmp.resolve("catalog"));
        Path catalogFile = catalogDir.resolve("catalog.yaml");
        Files.copy(ZOO.resolve("catalog.yaml"), catalogFile);
        Path theirs = Files.createDirectories(tmp.resolve("downloads")).resolve("their-linear.onnx");
        Files.copy(ZOO.resolve("linear.onnx"), theirs); // a real model; the command knows nothing of where it came from
        StringWriter out = new StringWriter();
        int code = run(out, "catalog", "add", "--onnx", theirs.toString(), "--id", "their-linear", "--catalog",
                catalogFile.toString(), "--device", "cpu", "--threads", "1", "--seconds", "0.05", "--batches", "1,4");
        assertEquals(0, code, out.toString());
        Catalog after = Catalog.load(catalogFile);
        Variant added = after.variant("their-linear").orElseThrow();
        assertEquals("their-linear.onnx", added.file());
        assertTrue(Files.isRegularFile(catalogDir.resolve("their-linear.onnx")), "copied beside the catalog");
        assertEquals("input", added.input().name(), "names read from the file");
        assertEquals(List.of(-1L, 1L, 28L, 28L), added.input().shape());
        assertEquals(List.of(1, 4), added.profile().points().stream().map(p -> p.batch()).toList());
        // the same network as the zoo's linear, so the same measured accuracy
        assertEquals(CATALOG.variant("linear").orElseThrow().accuracy(), added.accuracy(), 0.0005);
        assertTrue(added.memoryMb() != null && added.memoryMb() >= 0, "memory measured: " + added.memoryMb());
        assertEquals(CATALOG.variants().size() + 1, after.variants().size());
        assertEquals(CATALOG.ensembles(), after.ensembles(), "the rest of the catalog is kept");
    }

    @Test
    void aModelThatCannotServeTheTaskIsRefusedBeforeAnythingIsMeasured(@TempDir Path tmp) throws Exception {
        Path catalogFile = tmp.resolve("catalog.yaml");
        Files.copy(ZOO.resolve("catalog.yaml"), catalogFile);
        StringWriter err = new StringWriter();
        int code = run(err, "catalog", "add", "--onnx", ZOO.resolve("audio-cnn.onnx").toString(), "--id", "audio-x",
                "--catalog", catalogFile.toString());
        assertEquals(1, code);
        assertTrue(err.toString().contains("task 'fashion-mnist' sends [-1, 1, 28, 28]"), err.toString());
        assertEquals(Files.readString(ZOO.resolve("catalog.yaml")), Files.readString(catalogFile), "catalog untouched");
    }

    @Test
    void refusalsSayWhatToChange() {
        BatchingConfig b = BatchingConfig.DEFAULT;
        assertEquals(IMAGE, NewVariant.draft("mine", "fashion-mnist", "image", "m.onnx", new OnnxSignature(List.of(IMAGE), List.of(SCORES)),
                CATALOG, b, "p").input());
        assertRefused("lower-case letters", "Mine_1", new OnnxSignature(List.of(IMAGE), List.of(SCORES)));
        assertRefused("already has a variant 'linear'", "linear", new OnnxSignature(List.of(IMAGE), List.of(SCORES)));
        assertRefused("dynamic batch axis", "mine", new OnnxSignature(
                List.of(new TensorSpec("pixels", "FP32", List.of(1L, 1L, 28L, 28L))), List.of(SCORES)));
        assertRefused("is FP16", "mine", new OnnxSignature(
                List.of(new TensorSpec("pixels", "FP16", List.of(-1L, 1L, 28L, 28L))), List.of(SCORES)));
        assertRefused("2 inputs", "mine", new OnnxSignature(List.of(IMAGE, SCORES), List.of(SCORES)));
        assertRefused("answers 5 classes", "mine", new OnnxSignature(List.of(IMAGE),
                List.of(new TensorSpec("scores", "FP32", List.of(-1L, 5L)))));
        assertRefused("not embeddings, regressions or detections", "mine", new OnnxSignature(List.of(IMAGE),
                List.of(new TensorSpec("embedding", "FP32", List.of(-1L, 4L, 16L)))));
        assertRefused("class score vector", "mine", new OnnxSignature(List.of(IMAGE),
                List.of(new TensorSpec("value", "FP32", List.of(-1L, 1L)))));
        assertRefused("serve those with --output-kind tensors", "mine", new OnnxSignature(List.of(IMAGE),
                List.of(new TensorSpec("embedding", "FP32", List.of(-1L, 4L, 16L)))));
    }

    @Test
    void aModelThatAnswersWithTensorsJoinsATaskOfItsKind() {
        BatchingConfig b = BatchingConfig.DEFAULT;
        TensorSpec embedding = new TensorSpec("embedding", "FP32", List.of(-1L, 64L));
        Variant v = NewVariant.draft("mine", "new-task", "image", "m.onnx", new OnnxSignature(List.of(IMAGE), List.of(embedding)),
                CATALOG, b, "p", OutputKind.TENSORS);
        assertEquals(OutputKind.TENSORS, v.outputKind());
        assertEquals(embedding, v.output());
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> NewVariant.draft("mine",
                "fashion-mnist", "image", "m.onnx", new OnnxSignature(List.of(IMAGE), List.of(embedding)), CATALOG, b, "p",
                OutputKind.TENSORS));
        assertTrue(mixed.getMessage().contains("output kind is classes (variant"), mixed.getMessage());
        Catalog embeddings = new Catalog(List.of(v));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> NewVariant.draft("other",
                "new-task", "image", "o.onnx", new OnnxSignature(List.of(IMAGE),
                        List.of(new TensorSpec("embedding", "FP32", List.of(-1L, 32L)))), embeddings, b, "p", OutputKind.TENSORS));
        assertTrue(shape.getMessage().contains("answers [-1, 32] but task 'new-task' answers [-1, 64]"), shape.getMessage());
    }

    private static void assertRefused(String reason, String id, OnnxSignature sig) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NewVariant.draft(id, "fashion-mnist", "image", "m.onnx", sig, CATALOG, BatchingConfig.DEFAULT, "p"));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static int run(StringWriter sink, String... args) {
        PrintWriter w = new PrintWriter(sink, true);
        return new CommandLine(new Main()).setOut(w).setErr(w)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    w.println("sluice: " + e.getMessage());
                    return 1;
                })
                .execute(args);
    }
}
