package dev.sluice.models;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.List;

/**
 * One model variant of the catalog. {@code accuracy} is measured by the Java runtime on the
 * labelled test set and {@code profile} by {@code sluice profile}; neither is typed in.
 * {@code memoryMb} (also measured by {@code sluice profile}: the process RSS growth across the
 * session's load and warm-up) is what an executor's memory budget charges for the loaded model;
 * null when not measured.
 *
 * <p>A model with one input names it in {@code input}; a model with several (one per modality,
 * e.g. an image and audio features) lists them, in the model's order, in {@code inputs} and leaves
 * {@code input} out. {@link #allInputs()} gives the list either way.
 *
 * <p>{@code outputKind} says whether the model answers with class scores (the default) or with
 * output tensors served as they are ({@link OutputKind}).
 */
public record Variant(
        String id,
        String task,
        List<String> modalities,
        String file,
        TensorSpec input,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TensorSpec> inputs,
        TensorSpec output,
        String preprocessing,
        Double accuracy,
        Double pythonAccuracy,
        LatencyProfile profile,
        BatchingConfig batching,
        Double memoryMb,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = OutputKind.DefaultFilter.class) OutputKind outputKind) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public Variant {
        require(id, "id", id);
        require(task, "task", id);
        require(file, "file", id);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        if (inputs.isEmpty()) {
            require(input, "input", id);
        } else {
            if (input != null) {
                throw new IllegalArgumentException("catalog variant '" + id + "' has both 'input' and 'inputs'; "
                        + "a model with one input names it in 'input', one with several lists them in 'inputs'");
            }
            if (inputs.size() < 2) {
                throw new IllegalArgumentException("catalog variant '" + id + "' lists one tensor in 'inputs'; use 'input'");
            }
            if (inputs.stream().map(TensorSpec::name).distinct().count() != inputs.size()) {
                throw new IllegalArgumentException("catalog variant '" + id + "' names an input twice: "
                        + inputs.stream().map(TensorSpec::name).toList());
            }
        }
        require(output, "output", id);
        modalities = modalities == null ? List.of("image") : List.copyOf(modalities);
        if (batching == null) {
            batching = BatchingConfig.DEFAULT;
        }
        if (profile == null) {
            profile = new LatencyProfile("none", 0, "", List.of());
        }
        if (outputKind == null) {
            outputKind = OutputKind.CLASSES;
        }
        if (memoryMb != null && !(memoryMb >= 0)) {
            throw new IllegalArgumentException("catalog variant '" + id + "' has memory_mb " + memoryMb
                    + "; it must be a non-negative number");
        }
    }

    /** A classifier (output kind {@link OutputKind#CLASSES}). */
    public Variant(String id, String task, List<String> modalities, String file, TensorSpec input, List<TensorSpec> inputs,
            TensorSpec output, String preprocessing, Double accuracy, Double pythonAccuracy, LatencyProfile profile,
            BatchingConfig batching, Double memoryMb) {
        this(id, task, modalities, file, input, inputs, output, preprocessing, accuracy, pythonAccuracy, profile, batching,
                memoryMb, OutputKind.CLASSES);
    }

    /** Whether the model answers with class scores (executors report a label), not output tensors. */
    @JsonIgnore
    public boolean isClassifier() {
        return outputKind == OutputKind.CLASSES;
    }

    /** A single-input variant whose memory has not been measured. */
    public Variant(String id, String task, List<String> modalities, String file, TensorSpec input, TensorSpec output,
            String preprocessing, Double accuracy, Double pythonAccuracy, LatencyProfile profile, BatchingConfig batching) {
        this(id, task, modalities, file, input, null, output, preprocessing, accuracy, pythonAccuracy, profile, batching, null);
    }

    /** A single-input variant. */
    public Variant(String id, String task, List<String> modalities, String file, TensorSpec input, TensorSpec output,
            String preprocessing, Double accuracy, Double pythonAccuracy, LatencyProfile profile, BatchingConfig batching,
            Double memoryMb) {
        this(id, task, modalities, file, input, null, output, preprocessing, accuracy, pythonAccuracy, profile, batching,
                memoryMb);
    }

    /** A variant whose memory has not been measured. */
    public Variant(String id, String task, List<String> modalities, String file, TensorSpec input, List<TensorSpec> inputs,
            TensorSpec output, String preprocessing, Double accuracy, Double pythonAccuracy, LatencyProfile profile,
            BatchingConfig batching) {
        this(id, task, modalities, file, input, inputs, output, preprocessing, accuracy, pythonAccuracy, profile, batching,
                null);
    }

    /** Every input of the model in its order: {@code inputs}, or the one {@code input}. */
    @JsonIgnore
    public List<TensorSpec> allInputs() {
        return inputs.isEmpty() ? List.of(input) : inputs;
    }

    /**
     * The modality each input tensor of the model carries, in the model's input order: a
     * multi-input model's inputs are named after their modality; a single-input one takes its
     * modalities' tensor whatever the tensor is called.
     */
    @JsonIgnore
    public List<String> inputModalities() {
        return inputs.isEmpty() ? modalities : inputs.stream().map(TensorSpec::name).toList();
    }

    /** True when the model takes several input tensors (listed in {@code inputs}; {@code input} is then null). */
    @JsonIgnore
    public boolean isMultiInput() {
        return !inputs.isEmpty();
    }

    private static void require(Object value, String field, String id) {
        if (value == null) {
            throw new IllegalArgumentException("catalog variant " + (id == null ? "(no id)" : "'" + id + "'")
                    + " lacks '" + field + "'");
        }
    }

    @JsonIgnore
    public boolean isProfiled() {
        return accuracy != null && !profile.isEmpty();
    }

    public Path resolve(Path catalogDir) {
        Path p = Path.of(file);
        return p.isAbsolute() ? p : catalogDir.resolve(p);
    }

    public Variant withMeasurements(double accuracy, LatencyProfile profile) {
        return new Variant(id, task, modalities, file, input, inputs, output, preprocessing, accuracy, pythonAccuracy, profile,
                batching, memoryMb, outputKind);
    }

    public Variant withBatching(BatchingConfig b) {
        return new Variant(id, task, modalities, file, input, inputs, output, preprocessing, accuracy, pythonAccuracy, profile,
                b, memoryMb, outputKind);
    }

    public Variant withMemoryMb(Double mb) {
        return new Variant(id, task, modalities, file, input, inputs, output, preprocessing, accuracy, pythonAccuracy, profile,
                batching, mb, outputKind);
    }
}
