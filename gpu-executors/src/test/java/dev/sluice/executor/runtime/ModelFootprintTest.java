package dev.sluice.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelFootprintTest {
    private static final Path DIR = Path.of("../models");
    private static final Variant VGG = Catalog.load(DIR.resolve("catalog.yaml")).variant("vgg").orElseThrow();

    @Test
    void theCatalogsMeasurementWins() {
        ModelFootprint f = ModelFootprint.of(VGG.withMemoryMb(9.5), DIR);
        assertEquals(ModelFootprint.Source.MEASURED, f.source());
        assertEquals(Math.round(9.5 * 1048576), f.bytes());
    }

    @Test
    void withoutOneTheFileSizeIsScaled() {
        ModelFootprint f = ModelFootprint.of(VGG.withMemoryMb(null), DIR);
        assertEquals(ModelFootprint.Source.ESTIMATED, f.source());
        long file = VGG.resolve(DIR).toFile().length();
        assertEquals(Math.round(file * 5.0) + (4L << 20), f.bytes());
        assertTrue(f.mb() > 15 && f.mb() < 25, "vgg.onnx is ~3.1 MB: " + f.mb());
    }

    @Test
    void aMissingFileNamesTheVariant() {
        Variant missing = new Variant("ghost", VGG.task(), VGG.modalities(), "ghost.onnx", VGG.input(), VGG.output(),
                null, null, null, null, null);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ModelFootprint.of(missing, DIR));
        assertTrue(e.getMessage().contains("'ghost'") && e.getMessage().contains("ghost.onnx"), e.getMessage());
    }

    @Test
    void residentMemoryParsesProcStatus() {
        assertEquals(123456, ResidentMemory.parseKb("VmRSS:\t  123456 kB"));
        assertThrows(IllegalArgumentException.class, () -> ResidentMemory.parseKb("VmRSS: 12 MB"));
    }
}
