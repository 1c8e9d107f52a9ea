package dev.sluice.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Name, OIP datatype and shape of a model input or output; -1 marks the batch axis.
 * {@code range}, optional, is {@code [min, max]}: every value a request gives this input must lie
 * in it (the catalog's image inputs take grey pixels scaled to [0, 1]); null = any finite value.
 */
public record TensorSpec(String name, String datatype, List<Long> shape,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Double> range) {
    public TensorSpec {
        shape = List.copyOf(shape);
        if (range != null) {
            if (range.size() != 2 || !Double.isFinite(range.get(0)) || !Double.isFinite(range.get(1))
                    || range.get(0) > range.get(1)) {
                throw new IllegalArgumentException("input '" + name + "': range must be [min, max], finite, min <= max; got "
                        + range);
            }
            range = List.copyOf(range);
        }
    }

    public TensorSpec(String name, String datatype, List<Long> shape) {
        this(name, datatype, shape, null);
    }

    /** Elements of one sample: the product of every axis but the batch axis. */
    public int sampleSize() {
        long n = 1;
        for (int i = 1; i < shape.size(); i++) {
            n *= shape.get(i);
        }
        return Math.toIntExact(n);
    }
}
