package dev.sluice.schemas;

import org.apache.avro.Schema;

/**
 * Walks an Avro binary body against its writer schema without building anything, and says where
 * it breaks: a field that runs past the end, a length or count larger than the bytes left (which
 * the decoder would otherwise try to allocate), an enum or union index out of range, a varint
 * longer than 10 bytes, or bytes left over after the record. Run before decoding, it keeps a
 * hostile or corrupted record from costing more memory than its own size.
 */
final class AvroBodyScan {
    /** Most items of an array or map whose items may take no bytes at all (none of Sluice's do). */
    private static final long MAX_EMPTY_ITEMS = 1 << 16;

    private final byte[] buf;
    private final int end;
    private int pos;

    private AvroBodyScan(byte[] buf, int off, int len) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    /** Null when {@code buf[off, off+len)} is exactly one record of {@code writer}, else what is wrong. */
    static String check(Schema writer, byte[] buf, int off, int len) {
        AvroBodyScan s = new AvroBodyScan(buf, off, len);
        try {
            s.walk(writer, writer.getName());
        } catch (Broken b) {
            return b.getMessage();
        }
        if (s.pos < s.end) {
            return (s.end - s.pos) + " trailing bytes after the end of the " + writer.getName()
                    + " record: one record per Kafka message, nothing after it";
        }
        return null;
    }

    private static final class Broken extends RuntimeException {
        Broken(String message) {
            super(message, null, false, false);
        }
    }

    private void walk(Schema s, String path) {
        switch (s.getType()) {
            case NULL -> { }
            case BOOLEAN -> {
                int b = take(1, path)[0];
                if (b != 0 && b != 1) {
                    throw new Broken("field '" + path + "': boolean byte is " + b + ", not 0 or 1");
                }
            }
            case INT -> {
                long v = varint(path);
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw new Broken("field '" + path + "': " + v + " does not fit an Avro int");
                }
            }
            case LONG -> varint(path);
            case FLOAT -> take(4, path);
            case DOUBLE -> take(8, path);
            case STRING, BYTES -> {
                long n = varint(path);
                if (n < 0 || n > end - pos) {
                    throw new Broken("field '" + path + "': length " + n + (n < 0 ? " is negative" : " is more than the "
                            + (end - pos) + " bytes left (truncated, or not this schema)"));
                }
                pos += (int) n;
            }
            case FIXED -> take(s.getFixedSize(), path);
            case ENUM -> {
                long i = varint(path);
                if (i < 0 || i >= s.getEnumSymbols().size()) {
                    throw new Broken("field '" + path + "': enum index " + i + " is not one of the " + s.getEnumSymbols().size()
                            + " symbols of " + s.getName());
                }
            }
            case UNION -> {
                long i = varint(path);
                if (i < 0 || i >= s.getTypes().size()) {
                    throw new Broken("field '" + path + "': union branch " + i + " does not exist (" + s.getTypes().size()
                            + " branches)");
                }
                walk(s.getTypes().get((int) i), path);
            }
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    walk(f.schema(), path.equals(s.getName()) || path.isEmpty() ? f.name() : path + "." + f.name());
                }
            }
            case ARRAY -> items(s.getElementType(), null, path);
            case MAP -> items(s.getValueType(), Schema.create(Schema.Type.STRING), path);
        }
    }

    private void items(Schema item, Schema key, String path) {
        boolean mayBeEmpty = minBytes(item) == 0 && key == null;
        int index = 0;
        while (true) {
            long count = varint(path);
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count;
                varint(path); // the block's size in bytes
            }
            long limit = mayBeEmpty ? MAX_EMPTY_ITEMS : end - pos;
            if (count > limit) {
                throw new Broken("field '" + path + "': " + count + " items, more than the " + (end - pos)
                        + " bytes left could hold (truncated, or not this schema)");
            }
            for (long i = 0; i < count; i++, index++) {
                if (key != null) {
                    walk(key, path + " key");
                }
                walk(item, path + "[" + index + "]");
            }
        }
    }

    private static int minBytes(Schema s) {
        return switch (s.getType()) {
            case NULL -> 0;
            case FLOAT -> 4;
            case DOUBLE -> 8;
            case FIXED -> s.getFixedSize();
            case RECORD -> s.getFields().stream().mapToInt(f -> minBytes(f.schema())).sum();
            default -> 1;
        };
    }

    private byte[] take(int n, String path) {
        if (end - pos < n) {
            throw new Broken("truncated in field '" + path + "': needs " + n + " bytes, " + (end - pos) + " left");
        }
        byte[] b = {buf[pos]};
        pos += n;
        return b;
    }

    private long varint(String path) {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= end) {
                throw new Broken("truncated in field '" + path + "': the record ends inside a number");
            }
            int b = buf[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new Broken("field '" + path + "': a number longer than 10 bytes (not Avro)");
    }
}
