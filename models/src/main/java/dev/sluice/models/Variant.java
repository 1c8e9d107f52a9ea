package dev.sluice.models;

import java.nio.file.Path;
import java.util.List;

/**
 * One model variant of the catalog. {@code accuracy} is measured by the Java runtime on the
 * labelled test set and {@code profile} by {@code sluice profile}; neither is typed in.
 * {@code memoryMb} (also measured by {@code sluice profile}: the process RSS growth across the
 * session's load and warm-up) is what an executor's memory budget charges for the loaded model;
 * null when not measured.
 */
public record Variant(
        String id,
        String task,
        List<String> modalities,
        String file,
        TensorSpec input,
        TensorSpec output,
        String preprocessing,
        Double accuracy,
        Double pythonAccuracy,
        LatencyProfile profile,
        BatchingConfig batching,
        Double memoryMb) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public Variant {
        require(id, "id", id);
        require(task, "task", id);
        require(file, "file", id);
        require(input, "input", id);
        require(output, "output", id);
        modalities = modalities == null ? List.of("image") : List.copyOf(modalities);
        if (batching == null) {
            batching = BatchingConfig.DEFAULT;
        }
        if (profile == null) {
            profile = new LatencyProfile("none", 0, "", List.of());
        }
        if (memoryMb != null && !(memoryMb >= 0)) {
            throw new IllegalArgumentException("catalog variant '" + id + "' has memory_mb " + memoryMb
                    + "; it must be a non-negative number");
        }
    }

    /** A variant whose memory has not been measured. */
    public Variant(String id, String task, List<String> modalities, String file, TensorSpec input, TensorSpec output,
            String preprocessing, Double accuracy, Double pythonAccuracy, LatencyProfile profile, BatchingConfig batching) {
        this(id, task, modalities, file, input, output, preprocessing, accuracy, pythonAccuracy, profile, batching, null);
    }

    private static void require(Object value, String field, String id) {
        if (value == null) {
            throw new IllegalArgumentException("catalog variant " + (id == null ? "(no id)" : "'" + id + "'")
                    + " lacks '" + field + "'");
        }
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isProfiled() {
        return accuracy != null && !profile.isEmpty();
    }

    public Path resolve(Path catalogDir) {
        Path p = Path.of(file);
        return p.isAbsolute() ? p : catalogDir.resolve(p);
    }

    public Variant withMeasurements(double accuracy, LatencyProfile profile) {
        return new Variant(id, task, modalities, file, input, output, preprocessing, accuracy, pythonAccuracy, profile, batching,
                memoryMb);
    }

    public Variant withMemoryMb(Double mb) {
        return new Variant(id, task, modalities, file, input, output, preprocessing, accuracy, pythonAccuracy, profile, batching,
                mb);
    }
}
