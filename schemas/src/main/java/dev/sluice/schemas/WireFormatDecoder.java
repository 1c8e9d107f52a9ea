package dev.sluice.schemas;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes one record in the Confluent wire format (magic byte 0, 4-byte big-endian schema id,
 * Avro binary) into {@code T}, or says what is wrong with the bytes in terms a producer can act
 * on: empty, too short, wrong magic byte, a schema id nobody knows, a schema of another record
 * type, a body that ends early, does not decode, or has bytes left over after the record.
 *
 * <p>With the fingerprint registry every schema id is known locally, so the body is decoded here
 * (writer schema resolved against {@code T}'s) and trailing bytes are refused; an unknown id is
 * refused without a lookup. With a registry server the serde decodes (it asks the server) and its
 * failures are translated; trailing bytes are then not detected (the serde does not report how
 * much it read). Thread-safe.
 */
public final class WireFormatDecoder<T extends SpecificRecord> {
    /** The wire format's first byte. */
    public static final byte MAGIC = 0;
    /** Magic byte plus schema id. */
    public static final int HEADER_BYTES = 5;

    private final SluiceSerdes serdes;
    private final Schema reader;
    private final Deserializer<T> serde;
    private final String typeName;
    private final Map<Long, Object> writers = new ConcurrentHashMap<>(); // id -> SpecificDatumReader, or a String reason
    private final Map<Long, Schema> writerSchemas = new ConcurrentHashMap<>();

    /** What became of one record: a value, or the reason there is none. */
    public record Decoded<T>(T value, String failure) {
        public boolean ok() {
            return failure == null;
        }
    }

    public WireFormatDecoder(SluiceSerdes serdes, Schema reader) {
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.serde = serdes.deserializer();
        this.typeName = reader.getName();
    }

    public Decoded<T> decode(String topic, byte[] value) {
        if (value == null || value.length == 0) {
            return failed("empty record value");
        }
        if (value[0] != MAGIC) {
            return failed(String.format("first byte is 0x%02x, not the wire format's magic byte 0x00: write %s records as "
                    + "Avro in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary)", value[0] & 0xff, typeName));
        }
        if (value.length < HEADER_BYTES) {
            return failed("record is " + value.length + " bytes, too short for the wire format's magic byte and 4-byte schema id");
        }
        long id = ByteBuffer.wrap(value, 1, 4).getInt() & 0xffff_ffffL;
        if (!serdes.resolvesLocally()) {
            return viaSerde(topic, value, id);
        }
        Object r = writers.computeIfAbsent(id, this::readerFor);
        if (r instanceof String reason) {
            return failed(reason);
        }
        @SuppressWarnings("unchecked")
        SpecificDatumReader<T> datumReader = (SpecificDatumReader<T>) r;
        int body = value.length - HEADER_BYTES;
        String broken = AvroBodyScan.check(writerSchemas.get(id), value, HEADER_BYTES, body);
        if (broken != null) {
            return failed(broken + " (schema id " + id + ", " + body + " bytes of Avro after the header)");
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, HEADER_BYTES, body, null);
        T decoded;
        try {
            decoded = datumReader.read(null, decoder);
        } catch (EOFException e) {
            return failed("Avro body truncated: its " + body + " bytes end before the last field of " + typeName
                    + " (schema id " + id + ")");
        } catch (IOException | RuntimeException e) {
            return failed("Avro body does not decode as " + typeName + " (schema id " + id + "): " + describe(e));
        }
        try {
            if (!decoder.isEnd()) {
                int left = decoder.inputStream().available();
                return failed(left + " trailing bytes after the end of the " + typeName + " record (schema id " + id
                        + "): one record per Kafka message, nothing after it");
            }
        } catch (IOException e) {
            return failed("cannot read the end of the record: " + describe(e));
        }
        return new Decoded<>(decoded, null);
    }

    private Object readerFor(long id) {
        Schema writer = serdes.localSchema(id).orElse(null);
        if (writer == null) {
            return "unknown schema id " + id + ": not a version of " + typeName + " (or any schema) this build of Sluice knows;"
                    + " is the writer newer, or not Sluice?";
        }
        if (!writer.getFullName().equals(reader.getFullName())) {
            return "schema id " + id + " is " + writer.getFullName() + ", not " + reader.getFullName()
                    + ": a record of another type, on the wrong topic?";
        }
        writerSchemas.put(id, writer);
        return new SpecificDatumReader<T>(writer, reader);
    }

    private Decoded<T> viaSerde(String topic, byte[] value, long id) {
        try {
            return new Decoded<>(serde.deserialize(topic, value), null);
        } catch (RuntimeException e) {
            Throwable root = root(e);
            if (root instanceof EOFException) {
                return failed("Avro body truncated: it ends before the last field of " + typeName + " (schema id " + id + ")");
            }
            return failed("cannot decode a " + typeName + " with schema id " + id + ": " + describe(root));
        }
    }

    private Decoded<T> failed(String reason) {
        return new Decoded<>(null, reason);
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable e) {
        Throwable t = root(e);
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 200 ? m.substring(0, 200) + "..." : m));
    }
}
