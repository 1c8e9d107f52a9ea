package dev.sluice.models;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a variant's model answers with (catalog field {@code output_kind}).
 * <ul>
 *   <li>{@link #CLASSES} (the default): its first output is class scores (logits); executors
 *       report the argmax label, its softmax confidence and the class probabilities, and the
 *       aggregator votes over labels.</li>
 *   <li>{@link #TENSORS}: anything else (an embedding, a regression, a detector's boxes); executors
 *       pass every output tensor on as the model returned it, any shape and datatype, and the
 *       aggregator passes a single member's through or averages several (vote MEAN). Its catalog
 *       accuracy is the nearest class centroid accuracy of the first output on the labelled test
 *       set (see {@code sluice profile}), so that accuracy floors still order the variants.</li>
 * </ul>
 */
public enum OutputKind {
    @JsonProperty("classes") CLASSES,
    @JsonProperty("tensors") TENSORS;

    /** The outputs a classifier's answer has (OIP output names), in order. */
    public static final java.util.List<String> CLASS_OUTPUTS = java.util.List.of("label", "confidence", "probabilities");

    /** Jackson value filter: leaves the default ({@link #CLASSES}) out of a written catalog. */
    public static final class DefaultFilter {
        @Override
        public boolean equals(Object o) {
            return o == null || o == CLASSES;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
