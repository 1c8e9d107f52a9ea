package dev.sluice.decision.vote;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One output tensor of a model whose answer is not class scores (an embedding, a regression, a
 * detector's boxes), as the Open Inference Protocol describes a tensor: name, OIP datatype
 * (FP32, INT64, ...), shape and row-major little-endian data. The Avro {@code Tensor} on the wire;
 * decisions use this one so that they need no Avro. Immutable: the data is copied in and out.
 */
public final class OutputTensor {
    private final String name;
    private final String datatype;
    private final List<Long> shape;
    private final byte[] data;

    public OutputTensor(String name, String datatype, List<Long> shape, byte[] data) {
        this.name = Objects.requireNonNull(name, "name");
        this.datatype = Objects.requireNonNull(datatype, "datatype");
        this.shape = List.copyOf(shape);
        this.data = data.clone();
    }

    /** A FP32 tensor of {@code values}. */
    public static OutputTensor fp32(String name, List<Long> shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return new OutputTensor(name, "FP32", shape, b.array());
    }

    public String name() {
        return name;
    }

    public String datatype() {
        return datatype;
    }

    public List<Long> shape() {
        return shape;
    }

    /** A copy of the row-major little-endian bytes. */
    public byte[] data() {
        return data.clone();
    }

    /** The bytes, read-only and little-endian, without a copy. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Elements: the product of the shape. */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** "name DATATYPE [d0, d1]", for reasons. */
    public String describe() {
        return name + " " + datatype + " " + shape;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputTensor t && name.equals(t.name) && datatype.equals(t.datatype) && shape.equals(t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, datatype, shape, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "OutputTensor[" + describe() + ", " + data.length + " bytes]";
    }
}
