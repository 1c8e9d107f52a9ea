package dev.sluice.ingest.json;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the row-major little-endian bytes of a tensor into its values, one Java value an
 * element, as OIP JSON writes them: Boolean for BOOL, Integer for the 8-, 16- and 32-bit integers
 * (Long for UINT32), Long for INT64, BigInteger for UINT64, Float for FP32, Double for FP64.
 */
public final class TensorDataDecoder {
    private TensorDataDecoder() {}

    /** Bytes of one element, or 0 for a datatype without a fixed size (BYTES) or unknown. */
    public static int elementBytes(String datatype) {
        return switch (datatype) {
            case "BOOL", "INT8", "UINT8" -> 1;
            case "INT16", "UINT16" -> 2;
            case "FP32", "INT32", "UINT32" -> 4;
            case "FP64", "INT64", "UINT64" -> 8;
            default -> 0;
        };
    }

    /**
     * @throws IllegalArgumentException when the datatype has no fixed element size, or the bytes
     *     are not a whole number of its elements
     */
    public static List<Object> values(String name, String datatype, ByteBuffer bytes) {
        int size = elementBytes(datatype);
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (size == 0) {
            throw new IllegalArgumentException("tensor '" + name + "': datatype " + datatype + " is not decoded");
        }
        if (b.remaining() % size != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': " + b.remaining() + " bytes are not a whole number of "
                    + datatype + " elements");
        }
        List<Object> out = new ArrayList<>(b.remaining() / size);
        while (b.hasRemaining()) {
            out.add(switch (datatype) {
                case "BOOL" -> b.get() != 0;
                case "INT8" -> (int) b.get();
                case "UINT8" -> Byte.toUnsignedInt(b.get());
                case "INT16" -> (int) b.getShort();
                case "UINT16" -> Short.toUnsignedInt(b.getShort());
                case "FP32" -> b.getFloat();
                case "INT32" -> b.getInt();
                case "UINT32" -> Integer.toUnsignedLong(b.getInt());
                case "FP64" -> b.getDouble();
                case "INT64" -> b.getLong();
                case "UINT64" -> new BigInteger(Long.toUnsignedString(b.getLong()));
                default -> throw new IllegalStateException(datatype);
            });
        }
        return out;
    }
}
