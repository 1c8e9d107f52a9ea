package dev.sluice.schemas;

import dev.sluice.avro.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Building and reading OIP tensors: row-major little-endian bytes. */
public final class Tensors {
    private Tensors() {}

    public static Tensor fp32(String name, long[] shape, float[] values) {
        long n = elements(shape);
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds " + n
                    + " elements, got " + values.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new Tensor(name, "FP32", toList(shape), buf, Map.of());
    }

    /** Reads FP32 data into {@code dst} at {@code offset}; the tensor must be FP32 with matching size. */
    public static void readFp32(Tensor t, float[] dst, int offset, int count) {
        ByteBuffer data = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().get(dst, offset, count);
    }

    public static float[] readFp32(Tensor t) {
        int n = t.getData().remaining() / 4;
        float[] out = new float[n];
        readFp32(t, out, 0, n);
        return out;
    }

    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public static long elements(List<Long> shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Bytes per element of an OIP datatype, or -1 for BYTES and unknown types. */
    public static int elementSize(String datatype) {
        return switch (datatype) {
            case "BOOL", "UINT8", "INT8" -> 1;
            case "UINT16", "INT16", "FP16", "BF16" -> 2;
            case "UINT32", "INT32", "FP32" -> 4;
            case "UINT64", "INT64", "FP64" -> 8;
            default -> -1;
        };
    }

    public static List<Long> toList(long[] shape) {
        List<Long> l = new ArrayList<>(shape.length);
        for (long d : shape) {
            l.add(d);
        }
        return l;
    }
}
