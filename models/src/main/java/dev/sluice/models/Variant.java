package dev.sluice.models;

import java.nio.file.Path;
import java.util.List;

/**
 * One model variant of the catalog. {@code accuracy} is measured by the Java runtime on the
 * labelled test set and {@code profile} by {@code sluice profile}; neither is typed in.
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
        BatchingConfig batching) {

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
        return new Variant(id, task, modalities, file, input, output, preprocessing, accuracy, pythonAccuracy, profile, batching);
    }
}
