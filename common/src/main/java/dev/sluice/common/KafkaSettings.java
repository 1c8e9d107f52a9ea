package dev.sluice.common;

import dev.sluice.schemas.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where the Kafka cluster is and how to reach it: the bootstrap address plus any client
 * properties (security, SASL, TLS) from an optional properties file, and the deployment's
 * topic and group names on that cluster ({@link Topics}, prefixed or not). Every component
 * builds its clients and names its topics from one of these, so a deployment changes security
 * or its namespace in one place.
 */
public record KafkaSettings(String bootstrap, Map<String, Object> extra, Topics topics) {
    public KafkaSettings {
        Objects.requireNonNull(bootstrap, "bootstrap");
        if (bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap address is empty");
        }
        extra = Map.copyOf(extra);
        Objects.requireNonNull(topics, "topics");
    }

    /** Unprefixed names ({@link Topics#DEFAULT}). */
    public KafkaSettings(String bootstrap, Map<String, Object> extra) {
        this(bootstrap, extra, Topics.DEFAULT);
    }

    /** The same cluster and client properties, naming topics and groups with {@code names}. */
    public KafkaSettings withTopics(Topics names) {
        return new KafkaSettings(bootstrap, extra, names);
    }

    public static KafkaSettings of(String bootstrap) {
        return new KafkaSettings(bootstrap, Map.of());
    }

    /** Adds the properties of {@code file} (e.g. security.protocol, sasl.jaas.config); null means none. */
    public static KafkaSettings of(String bootstrap, Path file) {
        if (file == null) {
            return of(bootstrap);
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read Kafka client properties " + file + ": " + e.getMessage(), e);
        }
        Map<String, Object> m = new HashMap<>();
        p.forEach((k, v) -> m.put(k.toString(), v));
        return new KafkaSettings(bootstrap, m);
    }

    /** bootstrap.servers plus the extra properties, as a mutable map for a client to add to. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> m = new HashMap<>(extra);
        m.put("bootstrap.servers", bootstrap);
        return m;
    }

    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(clientConfig());
        return p;
    }

    /** The client property names, not their values (sasl.jaas.config holds a password). */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrap=" + bootstrap + ", properties=" + new java.util.TreeSet<>(extra.keySet()) + ", " + topics + "]";
    }
}
