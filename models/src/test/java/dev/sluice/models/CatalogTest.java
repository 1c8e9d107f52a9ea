package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    static Variant variant(String id, double accuracy, double p50AtOne) {
        TensorSpec in = new TensorSpec("input", "FP32", List.of(-1L, 1L, 28L, 28L));
        TensorSpec out = new TensorSpec("logits", "FP32", List.of(-1L, 10L));
        LatencyProfile p = new LatencyProfile("cpu", 2, "t", List.of(new LatencyPoint(8, p50AtOne * 4, p50AtOne * 5, p50AtOne * 6),
                new LatencyPoint(1, p50AtOne, p50AtOne * 1.5, p50AtOne * 2)));
        return new Variant(id, "fashion-mnist", List.of("image"), id + ".onnx", in, out, "pixels", accuracy, accuracy, p, null);
    }

    @Test
    void roundTripsThroughYamlAndOrdersByCost(@TempDir Path dir) {
        Catalog c = new Catalog(List.of(variant("big", 0.93, 1.0), variant("small", 0.85, 0.01)));
        Path file = dir.resolve("catalog.yaml");
        c.save(file, "# header\n");
        Catalog back = Catalog.load(file);
        assertEquals(c, back);
        assertEquals(List.of("small", "big"), back.forTask("fashion-mnist").stream().map(Variant::id).toList());
        assertEquals(BatchingConfig.DEFAULT, back.variants().get(0).batching());
        assertEquals(784, back.variants().get(0).input().sampleSize());
    }

    @Test
    void substitutesRoundTripAreCheckedAndFollowTheServableVariants(@TempDir Path dir) throws Exception {
        List<Variant> vs = List.of(variant("big", 0.93, 1.0), variant("small", 0.90, 0.1), variant("tiny", 0.85, 0.01));
        Catalog c = new Catalog(vs, List.of(), List.of(), List.of(new Substitute("big", "tiny", 0.95),
                new Substitute("big", "small", 0.97)));
        Path file = dir.resolve("catalog.yaml");
        c.save(file, "# header\n");
        String yaml = Files.readString(file);
        assertTrue(yaml.contains("substitutes:\n- variant: big\n  substitute: tiny\n  agreement: 0.95"), yaml);
        Catalog back = Catalog.load(file);
        assertEquals(c, back);
        assertEquals(List.of("small", "tiny"), back.substitutesOf("big").stream().map(Substitute::substitute).toList());
        assertEquals(List.of(), back.substitutesOf("tiny"));
        assertEquals(c.substitutes(), c.with(variant("small", 0.91, 0.1)).withEnsembles(List.of()).withCascades(List.of())
                .substitutes(), "kept by the other withers");
        assertTrue(new Catalog(vs).withSubstitutes(List.of()).substitutes().isEmpty());
        assertTrue(!Files.readString(save(new Catalog(vs), dir)).contains("substitutes"), "none: not written");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Catalog(vs, List.of(), List.of(), List.of(new Substitute("big", "zz", 0.99))));
        assertTrue(e.getMessage().contains("unknown variant 'zz'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Substitute("big", "big", 0.99));
        assertThrows(IllegalArgumentException.class, () -> new Substitute("big", "small", 1.5));
    }

    private static Path save(Catalog c, Path dir) {
        Path f = dir.resolve("plain.yaml");
        c.save(f, "");
        return f;
    }

    @Test
    void outputKindRoundTripsAndClassifiersWriteNone(@TempDir Path dir) throws Exception {
        Variant a = variant("a", 0.9, 1);
        Variant e = new Variant("e", "embed", List.of("image"), "e.onnx", a.input(), null,
                new TensorSpec("embedding", "FP32", List.of(-1L, 64L)), "", 0.85, null, a.profile(), a.batching(), null,
                OutputKind.TENSORS);
        Path file = dir.resolve("catalog.yaml");
        new Catalog(List.of(a, e)).save(file, "");
        String yaml = Files.readString(file);
        assertEquals(1, yaml.split("output_kind", -1).length - 1, "only the non-classifier writes output_kind: " + yaml);
        assertTrue(yaml.contains("output_kind: tensors"), yaml);
        Catalog back = Catalog.load(file);
        assertEquals(OutputKind.TENSORS, back.variant("e").orElseThrow().outputKind());
        assertTrue(back.variant("a").orElseThrow().isClassifier());
        assertEquals(OutputKind.TENSORS, back.variant("e").orElseThrow().withMeasurements(0.8, a.profile()).outputKind(),
                "kept by re-profiling");
        assertEquals(List.of("label", "confidence", "probabilities"), back.outputNames(a.task()));
        assertEquals(List.of("embedding"), back.outputNames("embed"));
        assertEquals("unknown output 'label' (outputs: embedding) for model 'embed'",
                back.outputsProblem("embed", List.of("embedding", "label")));
        assertEquals(null, back.outputsProblem(a.task(), List.of()));
        Files.writeString(file, yaml.replace("output_kind: tensors", "output_kind: boxes"));
        assertThrows(IllegalArgumentException.class, () -> Catalog.load(file), "an unknown kind is refused");
    }

    @Test
    void memoryMbRoundTripsAndIsOptional(@TempDir Path dir) throws Exception {
        Catalog c = new Catalog(List.of(variant("a", 0.9, 1).withMemoryMb(18.4), variant("b", 0.8, 1)));
        Path file = dir.resolve("catalog.yaml");
        c.save(file, "# header\n");
        String yaml = Files.readString(file);
        assertTrue(yaml.contains("memory_mb: 18.4"), yaml);
        assertEquals(1, yaml.split("memory_mb", -1).length - 1, "an unmeasured variant writes no memory_mb: " + yaml);
        Catalog back = Catalog.load(file);
        assertEquals(c, back);
        assertEquals(18.4, back.variant("a").orElseThrow().memoryMb());
        assertEquals(null, back.variant("b").orElseThrow().memoryMb());
        assertEquals(18.4, back.variant("a").orElseThrow().withMeasurements(0.5, null).memoryMb(), "kept by re-profiling");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> variant("x", 0.9, 1).withMemoryMb(-1.0));
        assertTrue(e.getMessage().contains("memory_mb"), e.getMessage());
    }

    @Test
    void rejectsUnknownFieldsAndDuplicates(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "variants:\n- id: a\n  task: t\n  file: a.onnx\n  tsak: x\n"
                + "  input: {name: i, datatype: FP32, shape: [-1, 4]}\n  output: {name: o, datatype: FP32, shape: [-1, 2]}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Catalog.load(file));
        assertTrue(e.getMessage().contains("tsak"), e.getMessage());
        Files.writeString(file, "variants:\n- id: a\n  task: t\n");
        e = assertThrows(IllegalArgumentException.class, () -> Catalog.load(file));
        assertTrue(e.getMessage().contains("lacks 'file'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Catalog(List.of(variant("a", 0.9, 1), variant("a", 0.8, 1))));
        assertThrows(IllegalArgumentException.class, () -> Catalog.load(dir.resolve("missing.yaml")));
    }

    @Test
    void ensemblesRoundTripAndOldCatalogsWithoutThemStillLoad(@TempDir Path dir) throws Exception {
        List<Variant> vs = List.of(variant("a", 0.85, 0.01), variant("b", 0.90, 0.1), variant("c", 0.91, 0.2));
        Catalog c = new Catalog(vs, List.of(new Ensemble(List.of("b", "c"), "PROBABILITY_AVERAGE", 0.9164, 0.9119),
                new Ensemble(List.of("a", "b", "c"), "MAJORITY", 0.9036, 0.9119)));
        Path file = dir.resolve("catalog.yaml");
        c.save(file, "# header\n");
        String yaml = Files.readString(file);
        assertTrue(yaml.contains("single_best: 0.9119"), yaml);
        assertTrue(yaml.contains("vote: PROBABILITY_AVERAGE"), yaml);
        Catalog back = Catalog.load(file);
        assertEquals(c, back);
        assertEquals(0.0045, back.ensembles().get(0).gain(), 1e-9);
        assertEquals(2, back.ensemblesFor("fashion-mnist").size());
        assertEquals(List.of(), back.ensemblesFor("imagenet"));
        // replacing a variant keeps the ensembles
        assertEquals(c.ensembles(), back.with(variant("a", 0.86, 0.01)).ensembles());

        // a catalog without ensembles writes no key, and a file without the key loads with none
        Catalog plain = new Catalog(vs);
        assertEquals(List.of(), plain.ensembles());
        plain.save(file, "");
        assertTrue(!Files.readString(file).contains("ensembles"), Files.readString(file));
        assertEquals(plain, Catalog.load(file));
        assertEquals(c.ensembles(), plain.withEnsembles(c.ensembles()).ensembles());
    }

    @Test
    void rejectsMalformedEnsembles(@TempDir Path dir) throws Exception {
        List<Variant> vs = List.of(variant("a", 0.85, 0.01), variant("b", 0.90, 0.1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Catalog(vs, List.of(new Ensemble(List.of("a", "zz"), "MAJORITY", 0.9, 0.9))));
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Ensemble(List.of("a"), "MAJORITY", 0.9, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new Ensemble(List.of("a", "a"), "MAJORITY", 0.9, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new Ensemble(List.of("a", "b"), "SELF_CONSISTENCY", 0.9, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new Ensemble(List.of("a", "b"), "MAJORITY", null, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new Ensemble(List.of("a", "b"), "MAJORITY", 0.9, 1.5));

        Path file = dir.resolve("c.yaml");
        new Catalog(vs, List.of(new Ensemble(List.of("a", "b"), "MAJORITY", 0.9, 0.9))).save(file, "");
        String good = Files.readString(file);
        Files.writeString(file, good.replace("vote: MAJORITY", "vote: MAJORITY\n  weight: 2"));
        e = assertThrows(IllegalArgumentException.class, () -> Catalog.load(file));
        assertTrue(e.getMessage().contains("weight"), e.getMessage());
        Files.writeString(file, good.replace("single_best:", "singel_best:"));
        e = assertThrows(IllegalArgumentException.class, () -> Catalog.load(file));
        assertTrue(e.getMessage().contains("single_best"), e.getMessage());
    }

    static Variant fusion(String id) {
        TensorSpec image = new TensorSpec("image", "FP32", List.of(-1L, 1L, 28L, 28L));
        TensorSpec audio = new TensorSpec("audio", "FP32", List.of(-1L, 1L, 40L, 64L));
        TensorSpec out = new TensorSpec("logits", "FP32", List.of(-1L, 10L));
        return new Variant(id, "fashion-mnist-spoken", List.of("image", "audio"), id + ".onnx", null, List.of(image, audio),
                out, "pixels and log-mels", null, 0.97, null, null);
    }

    @Test
    void multiInputVariantsRoundTripAndSingleInputEntriesStayAsTheyWere(@TempDir Path dir) throws Exception {
        Catalog c = new Catalog(List.of(variant("img", 0.9, 0.1), fusion("av")));
        Path file = dir.resolve("catalog.yaml");
        c.save(file, "");
        String yaml = Files.readString(file);
        assertEquals(1, yaml.split("\n  inputs:", -1).length - 1, yaml);
        assertEquals(1, yaml.split("\n  input:", -1).length - 1, yaml);
        Catalog back = Catalog.load(file);
        assertEquals(c, back);
        Variant av = back.variant("av").orElseThrow();
        assertTrue(av.isMultiInput());
        assertEquals(List.of("image", "audio"), av.allInputs().stream().map(TensorSpec::name).toList());
        assertEquals(2560, av.allInputs().get(1).sampleSize());
        assertEquals(List.of("image", "audio"), av.modalities());
        Variant img = back.variant("img").orElseThrow();
        assertTrue(!img.isMultiInput());
        assertEquals(List.of(img.input()), img.allInputs());
        assertEquals(List.of(), img.inputs());
        // which modality feeds which input: a multi-input model's own order, not the modality list's
        Variant audioFirst = new Variant("af", av.task(), List.of("image", "audio"), "af.onnx", null,
                List.of(av.inputs().get(1), av.inputs().get(0)), av.output(), "", null, null, null, null);
        assertEquals(List.of("audio", "image"), audioFirst.inputModalities());
        assertEquals(List.of("image"), img.inputModalities());
        // measurements keep the inputs
        assertEquals(av.inputs(), av.withMeasurements(0.97, img.profile()).inputs());

        // written by hand: an inputs list instead of input
        Files.writeString(file, "variants:\n- id: a\n  task: t\n  modalities: [image, audio]\n  file: a.onnx\n"
                + "  inputs:\n  - {name: image, datatype: FP32, shape: [-1, 1, 28, 28]}\n"
                + "  - {name: audio, datatype: FP32, shape: [-1, 1, 40, 64]}\n"
                + "  output: {name: logits, datatype: FP32, shape: [-1, 10]}\n");
        assertEquals(List.of(784, 2560), Catalog.load(file).variants().get(0).allInputs().stream()
                .map(TensorSpec::sampleSize).toList());
    }

    @Test
    void rejectsAmbiguousInputs() {
        Variant av = fusion("av");
        TensorSpec one = av.inputs().get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Variant("x", "t", null, "x.onnx",
                one, av.inputs(), av.output(), null, null, null, null, null));
        assertTrue(e.getMessage().contains("both 'input' and 'inputs'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Variant("x", "t", null, "x.onnx", null, List.of(one),
                av.output(), null, null, null, null, null));
        assertTrue(e.getMessage().contains("use 'input'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Variant("x", "t", null, "x.onnx", null, List.of(one, one),
                av.output(), null, null, null, null, null));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Variant("x", "t", null, "x.onnx", null, null,
                av.output(), null, null, null, null, null));
        assertTrue(e.getMessage().contains("lacks 'input'"), e.getMessage());
    }

    @Test
    void latencyProfileInterpolatesAndExtrapolatesPerSample() {
        LatencyProfile p = variant("v", 0.9, 1.0).profile();
        assertEquals(2.0, p.p99Ms(1), 1e-9);
        assertEquals(6.0, p.p99Ms(8), 1e-9);
        assertEquals(2.0 + (4.0 / 7.0) * 4.0, p.p99Ms(5), 1e-9);
        assertEquals(12.0, p.p99Ms(16), 1e-9);
        assertEquals(2000.0, p.peakThroughput(), 1e-6);
        assertThrows(IllegalStateException.class, () -> new LatencyProfile("cpu", 1, "", List.of()).p99Ms(1));
    }

    @Test
    void theCommittedCatalogIsProfiledAndItsFilesExist() throws Exception {
        Path file = Path.of("catalog.yaml");
        Catalog c = Catalog.load(file);
        assertTrue(c.variants().size() >= 5, "at least five variants");
        for (Variant v : c.variants()) {
            assertTrue(v.isProfiled(), v.id() + " has no measured accuracy and latency: run ./sluice profile");
            assertTrue(Files.isRegularFile(v.resolve(Path.of("."))), v.file() + " missing");
            assertTrue(sizeOf(v) <= 50L * 1024 * 1024, v.file() + " is over 50 MB");
        }
    }

    @Test
    void theMultimodalCatalogLoadsAndItsFilesExist() {
        Catalog c = Catalog.load(Path.of("catalog-multimodal.yaml"));
        assertTrue(c.variants().size() >= 2, "an audio-only and a fusion variant");
        for (Variant v : c.variants()) {
            assertTrue(Files.isRegularFile(v.resolve(Path.of("."))), v.file() + " missing");
            assertTrue(sizeOf(v) <= 5L * 1024 * 1024, v.file() + " is over 5 MB");
            assertEquals(v.modalities().size(), v.allInputs().size(), v.id() + ": one input per modality");
            assertTrue(v.pythonAccuracy() != null, v.id() + " has no python_accuracy");
        }
        assertTrue(c.variants().stream().anyMatch(Variant::isMultiInput), "a fusion variant with two inputs");
    }

    @Test
    void theMultimodalCatalogIsProfiledAndHoldsEveryModalitySubset() {
        Catalog c = Catalog.load(Path.of("catalog-multimodal.yaml"));
        java.util.Set<List<String>> subsets = new java.util.HashSet<>();
        for (Variant v : c.variants()) {
            assertEquals(SpokenFashionMnist.TASK, v.task(), v.id());
            assertTrue(v.isProfiled(), v.id() + " has no measured accuracy and latency: run "
                    + "./sluice profile --catalog models/catalog-multimodal.yaml");
            assertTrue(v.memoryMb() != null, v.id() + " has no memory_mb");
            subsets.add(v.modalities());
        }
        assertEquals(java.util.Set.of(List.of("image"), List.of("audio"), List.of("image", "audio")), subsets);
    }

    private static long sizeOf(Variant v) {
        try {
            return Files.size(v.resolve(Path.of(".")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
