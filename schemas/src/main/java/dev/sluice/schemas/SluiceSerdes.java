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

    /** Registry client settings a deployment may give (credentials, TLS): Apicurio's, by prefix. */
    public static final String CLIENT_SETTING_PREFIX = "apicurio.registry.";

    private final String registry;
    private final FingerprintRegistry fingerprintRegistry;
    private final Map<String, Object> clientSettings;

    private SluiceSerdes(String registry) {
        this(registry, Map.of());
    }

    private SluiceSerdes(String registry, Map<String, ?> clientSettings) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (!registry.equals(FINGERPRINT) && !registry.startsWith("http://") && !registry.startsWith("https://")) {
            throw new IllegalArgumentException("registry must be '" + FINGERPRINT
                    + "' or an Apicurio Registry URL (http[s]://host:port/apis/registry/v3), got: " + registry);
        }
        this.fingerprintRegistry = registry.equals(FINGERPRINT) ? FingerprintRegistry.withKnownSchemas() : null;
        Map<String, Object> settings = new HashMap<>(clientSettings);
        if (!settings.isEmpty() && fingerprintRegistry != null) {
            throw new IllegalArgumentException("registry client settings " + settings.keySet().stream().sorted().toList()
                    + " need a registry server; with '" + FINGERPRINT + "' there is none");
        }
        Map<String, Object> fixed = baseConfig();
        for (String key : settings.keySet()) {
            if (!key.startsWith(CLIENT_SETTING_PREFIX)) {
                throw new IllegalArgumentException("registry client setting '" + key + "' is not an Apicurio serde setting "
                        + "(" + CLIENT_SETTING_PREFIX + "auth.username, " + CLIENT_SETTING_PREFIX + "auth.password, "
                        + CLIENT_SETTING_PREFIX + "auth.client.id, " + CLIENT_SETTING_PREFIX + "tls.truststore.location, ...)");
            }
            if (fixed.containsKey(key) || key.equals(CLIENT_SETTING_PREFIX + "url")) {
                throw new IllegalArgumentException("registry client setting '" + key + "' is Sluice's to set"
                        + (key.endsWith(".url") ? " (the URL comes from --registry)" : ""));
            }
        }
        this.clientSettings = Map.copyOf(settings);
    }

    /** Serdes for the embedded stack: no registry server. */
    public static SluiceSerdes fingerprint() {
        return new SluiceSerdes(FINGERPRINT);
    }

    /** {@code fingerprint} or an Apicurio Registry URL. */
    public static SluiceSerdes of(String registry) {
        return of(registry, Map.of());
    }

    /**
     * An Apicurio Registry URL with client settings (credentials, TLS), Apicurio's serde keys:
     * {@code apicurio.registry.auth.username} and {@code .password} (basic auth),
     * {@code .auth.service.token.endpoint}, {@code .auth.client.id} and {@code .auth.client.secret}
     * (OAuth2 client credentials), {@code apicurio.registry.tls.*}. Refuses unknown prefixes, the
     * settings Sluice fixes, and any setting with {@code fingerprint}.
     */
    public static SluiceSerdes of(String registry, Map<String, ?> clientSettings) {
        return new SluiceSerdes(registry == null || registry.isBlank() ? FINGERPRINT : registry.strip(), clientSettings);
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

    /** The registry client settings given (credentials, TLS), for {@link RegistryProbe}. */
    Map<String, Object> clientSettings() {
        return clientSettings;
    }

    Map<String, Object> config() {
        Map<String, Object> c = baseConfig();
        c.putAll(clientSettings);
        if (fingerprintRegistry == null) {
            c.put("apicurio.registry.url", registry);
        }
        return c;
    }

    private static Map<String, Object> baseConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put("apicurio.registry.auto-register", true);
        // nested named types would otherwise become schema references
        c.put("apicurio.registry.dereference-schema", true);
        c.put("apicurio.registry.use-specific-avro-reader", true);
        c.put("apicurio.registry.headers.enabled", false);
        c.put("apicurio.registry.avro-datum-provider", SpecificDatumProvider.class.getName());
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
