package dev.sluice.schemas;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro serdes in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro
 * binary), written and read by Apicurio Registry 3 serdes.
 *
 * <p>Two registry modes: {@code fingerprint} (the default; no server, ids derived from the
 * schemas, see {@link FingerprintRegistry}) and the URL of an Apicurio Registry 3 server
 * (e.g. {@code http://registry:8080/apis/registry/v3}) for deployments.
 */
public final class SluiceSerdes {
    public static final String FINGERPRINT = "fingerprint";

    private final String registry;
    private final FingerprintRegistry fingerprintRegistry;

    private SluiceSerdes(String registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (!registry.equals(FINGERPRINT) && !registry.startsWith("http://") && !registry.startsWith("https://")) {
            throw new IllegalArgumentException("registry must be '" + FINGERPRINT
                    + "' or an Apicurio Registry URL (http[s]://host:port/apis/registry/v3), got: " + registry);
        }
        this.fingerprintRegistry = registry.equals(FINGERPRINT) ? FingerprintRegistry.withKnownSchemas() : null;
    }

    /** Serdes for the embedded stack: no registry server. */
    public static SluiceSerdes fingerprint() {
        return new SluiceSerdes(FINGERPRINT);
    }

    /** {@code fingerprint} or an Apicurio Registry URL. */
    public static SluiceSerdes of(String registry) {
        return new SluiceSerdes(registry == null || registry.isBlank() ? FINGERPRINT : registry.strip());
    }

    public String registry() {
        return registry;
    }

    /**
     * The writer schema of a schema id, when it is known without asking a server: with the
     * fingerprint registry, any schema Sluice ships (empty for an id it does not know); with a
     * registry server, always empty (only the server knows).
     */
    public java.util.Optional<org.apache.avro.Schema> localSchema(long id) {
        if (fingerprintRegistry == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new org.apache.avro.Schema.Parser().setValidateDefaults(false)
                    .parse(fingerprintRegistry.getSchemaByContentId(id)));
        } catch (FingerprintRegistry.UnknownSchemaIdException e) {
            return java.util.Optional.empty();
        }
    }

    /** True when schema ids are resolved locally (the fingerprint registry), so every known id is listed. */
    public boolean resolvesLocally() {
        return fingerprintRegistry != null;
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("apicurio.registry.auto-register", true);
        // nested named types would otherwise become schema references
        c.put("apicurio.registry.dereference-schema", true);
        c.put("apicurio.registry.use-specific-avro-reader", true);
        c.put("apicurio.registry.headers.enabled", false);
        c.put("apicurio.registry.avro-datum-provider", SpecificDatumProvider.class.getName());
        if (fingerprintRegistry == null) {
            c.put("apicurio.registry.url", registry);
        }
        return c;
    }

    public <T extends SpecificRecord> Serializer<T> serializer() {
        AvroKafkaSerializer<T> s = fingerprintRegistry == null
                ? new AvroKafkaSerializer<>() : new AvroKafkaSerializer<>(fingerprintRegistry);
        s.configure(config(), false);
        return s;
    }

    public <T extends SpecificRecord> Deserializer<T> deserializer() {
        AvroKafkaDeserializer<T> d = fingerprintRegistry == null
                ? new AvroKafkaDeserializer<>() : new AvroKafkaDeserializer<>(fingerprintRegistry);
        d.configure(config(), false);
        return d;
    }

    public <T extends SpecificRecord> Serde<T> serde() {
        return Serdes.serdeFrom(this.<T>serializer(), this.<T>deserializer());
    }

    /** The same serde, named by its type for readability at call sites. */
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        return serde();
    }
}
