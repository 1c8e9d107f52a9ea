package dev.sluice.ingest.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Encodes the {@code data} of one OIP JSON tensor (flat, or nested arrays flattened in order)
 * into the row-major little-endian bytes of the Avro {@code Tensor}.
 */
final class TensorDataEncoder {
    static final Set<String> SUPPORTED_DATATYPES = Set.of("FP32", "FP64", "INT32", "INT64", "UINT8", "INT8", "BOOL");

    private TensorDataEncoder() {}

    static ByteBuffer encode(String input, String datatype, List<Long> shape, JsonNode data) {
        checkDatatype(input, datatype);
        List<JsonNode> values = flatten(input, data);
        long expected = elements(input, shape);
        if (values.size() != expected) {
            throw new InvalidFieldException("input '" + input + "': 'data' has " + values.size()
                    + " elements but 'shape' " + shape + " holds " + expected);
        }
        ByteBuffer buf = ByteBuffer.allocate(values.size() * elementSize(datatype)).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode v : values) {
            put(input, datatype, v, buf);
        }
        return buf.flip();
    }

    private static void checkDatatype(String input, String datatype) {
        if (datatype.equals("BYTES")) {
            throw new InvalidFieldException("input '" + input + "': datatype BYTES is not supported by the JSON bridge");
        }
        if (!SUPPORTED_DATATYPES.contains(datatype)) {
            throw new InvalidFieldException("input '" + input + "': unsupported 'datatype' '" + datatype
                    + "' (supported: FP32, FP64, INT32, INT64, UINT8, INT8, BOOL)");
        }
    }

    private static int elementSize(String datatype) {
        return switch (datatype) {
            case "BOOL", "UINT8", "INT8" -> 1;
            case "INT32", "FP32" -> 4;
            default -> 8;
        };
    }

    private static long elements(String input, List<Long> shape) {
        long n = 1;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new InvalidFieldException("input '" + input + "': 'shape' " + shape + " is too large");
        }
        return n;
    }

    /** Leaves of nested arrays in document order, without recursion (nesting depth is client-controlled). */
    private static List<JsonNode> flatten(String input, JsonNode data) {
        if (data == null || !data.isArray()) {
            throw new InvalidFieldException("input '" + input + "': 'data' must be an array");
        }
        List<JsonNode> out = new ArrayList<>(data.size());
        Deque<Iterator<JsonNode>> stack = new ArrayDeque<>();
        stack.push(data.elements());
        while (!stack.isEmpty()) {
            Iterator<JsonNode> it = stack.peek();
            if (!it.hasNext()) {
                stack.pop();
                continue;
            }
            JsonNode next = it.next();
            if (next.isArray()) {
                stack.push(next.elements());
            } else {
                out.add(next);
            }
        }
        return out;
    }

    private static void put(String input, String datatype, JsonNode v, ByteBuffer buf) {
        if (datatype.equals("BOOL") && v.isBoolean()) {
            buf.put((byte) (v.booleanValue() ? 1 : 0));
            return;
        }
        if (!v.isNumber()) {
            throw new InvalidFieldException("input '" + input + "': 'data' must hold only "
                    + (datatype.equals("BOOL") ? "booleans" : "numbers") + ", found " + v.getNodeType());
        }
        if (v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue())) {
            throw new InvalidFieldException("input '" + input + "' contains NaN or Infinity");
        }
        switch (datatype) {
            case "FP32" -> {
                float f = v.floatValue();
                if (Float.isInfinite(f)) {
                    throw new InvalidFieldException("input '" + input + "': value " + v + " is out of FP32 range");
                }
                buf.putFloat(f);
            }
            case "FP64" -> buf.putDouble(v.doubleValue());
            case "INT64" -> buf.putLong(integer(input, datatype, v, Long.MIN_VALUE, Long.MAX_VALUE));
            case "INT32" -> buf.putInt((int) integer(input, datatype, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case "INT8" -> buf.put((byte) integer(input, datatype, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case "UINT8" -> buf.put((byte) integer(input, datatype, v, 0, 255));
            case "BOOL" -> buf.put((byte) integer(input, datatype, v, 0, 1));
            default -> throw new IllegalStateException("unchecked datatype " + datatype);
        }
    }

    private static long integer(String input, String datatype, JsonNode v, long min, long max) {
        if (!v.isIntegralNumber()) {
            throw new InvalidFieldException("input '" + input + "': " + datatype + " 'data' must be integers, found " + v);
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new InvalidFieldException("input '" + input + "': value " + v + " is out of " + datatype + " range");
        }
        return v.longValue();
    }
}
