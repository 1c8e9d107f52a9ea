package dev.sluice.models;

import java.util.List;

/** Name, OIP datatype and shape of a model input or output; -1 marks the batch axis. */
public record TensorSpec(String name, String datatype, List<Long> shape) {
    public TensorSpec {
        shape = List.copyOf(shape);
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
