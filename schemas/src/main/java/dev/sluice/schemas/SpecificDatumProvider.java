package dev.sluice.schemas;

import io.apicurio.registry.serde.avro.AvroDatumProvider;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Datum readers and writers for Sluice's generated classes, cached by schema instance.
 * Apicurio's default provider keys its writer cache by the schema's parsing fingerprint, which
 * it recomputes (normalising the whole schema to a string) on every record: measured as the
 * top cost of producing a request. Generated classes share one schema instance, so identity is
 * the right key. Readers resolve the writer's schema against the local class (evolution).
 */
public final class SpecificDatumProvider<T> implements AvroDatumProvider<T> {
    private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();
    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();

    @Override
    public void configure(AvroSerdeConfig config) {}

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        return writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s));
    }

    @Override
    public DatumReader<T> createDatumReader(Schema writer) {
        return readers.computeIfAbsent(writer, w -> {
            Class<?> local = SpecificData.get().getClass(w);
            Schema reader = local == null ? w : SpecificData.get().getSchema(local);
            return new SpecificDatumReader<>(w, reader);
        });
    }

    @Override
    public Schema toSchema(T data) {
        if (data instanceof SpecificRecord r) {
            return r.getSchema();
        }
        throw new IllegalArgumentException("not an Avro specific record: " + (data == null ? "null" : data.getClass()));
    }
}
