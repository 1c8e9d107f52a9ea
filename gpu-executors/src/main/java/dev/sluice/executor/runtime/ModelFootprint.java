package dev.sluice.executor.runtime;

import dev.sluice.models.Variant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bytes a variant's loaded session is charged against the memory budget: the catalog's
 * measured {@code memory_mb} when present, else an estimate from the .onnx file size.
 */
public record ModelFootprint(long bytes, Source source) {
    /** Where the figure comes from. */
    public enum Source { MEASURED, ESTIMATED }

    /**
     * Estimate without a measurement: five times the file plus 4 MB. Measured here (CPU, warm-up
     * at the max batch) sessions hold 0.6 to 18 MB for 0.03 to 3.1 MB files; activations at the
     * max batch, not weights, dominate the CNNs, so a file-size rule is rough either way and leans
     * high (a budget that is too generous with memory is the worse error). Run sluice profile.
     */
    public static final double FILE_SIZE_FACTOR = 5.0;
    public static final long FIXED_BYTES = 4L << 20;

    public static ModelFootprint of(Variant v, Path catalogDir) {
        if (v.memoryMb() != null) {
            return new ModelFootprint(Math.round(v.memoryMb() * 1048576.0), Source.MEASURED);
        }
        Path file = v.resolve(catalogDir);
        try {
            return new ModelFootprint(estimate(Files.size(file)), Source.ESTIMATED);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot size model file " + file.toAbsolutePath() + " of variant '" + v.id() + "'", e);
        }
    }

    public static long estimate(long fileBytes) {
        return Math.round(fileBytes * FILE_SIZE_FACTOR) + FIXED_BYTES;
    }

    public double mb() {
        return bytes / 1048576.0;
    }
}
