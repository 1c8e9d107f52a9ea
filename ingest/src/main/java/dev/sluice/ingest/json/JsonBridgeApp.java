package dev.sluice.ingest.json;

import dev.sluice.common.DeadLetterProductionHandler;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.FailoverSettings;
import dev.sluice.common.Health;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.StreamsThreadPolicy;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link JsonBridgeTopology} as a Kafka Streams application. At-least-once: a redelivered
 * request is deduplicated downstream by the aggregator, which answers each request id once.
 */
public final class JsonBridgeApp implements AutoCloseable {
    public static final String APPLICATION_ID = "sluice-json-bridge";
    /**
     * The producer's {@code max.request.size}, set explicitly (the client default, 1 MiB) so the
     * limit below has a known ceiling; the embedded broker accepts 8 MiB.
     */
    public static final int MAX_REQUEST_SIZE = 1024 * 1024;
    /** Largest request record (key, value, headers) the bridge forwards: {@link #MAX_REQUEST_SIZE} less room for batch overhead. */
    public static final int MAX_RECORD_BYTES = MAX_REQUEST_SIZE - 16 * 1024;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(JsonBridgeApp.class);

    private final KafkaStreams streams;
    private final Path stateDir;

    private JsonBridgeApp(KafkaStreams streams, Path stateDir) {
        this.streams = streams;
        this.stateDir = stateDir;
    }

    /** Starts the bridge exactly-once (the default delivery); {@code overrides} (may be null) win over every default. */
    public static JsonBridgeApp start(KafkaSettings kafka, SluiceSerdes serdes, Properties overrides) {
        return start(kafka, serdes, overrides, FailoverSettings.defaults(null));
    }

    /** As {@link #start(KafkaSettings, SluiceSerdes, Properties)}, with group membership and session settings. */
    public static JsonBridgeApp start(KafkaSettings kafka, SluiceSerdes serdes, Properties overrides,
            FailoverSettings failover) {
        return start(kafka, serdes, overrides, failover, DeliveryMode.EXACTLY_ONCE_RESULTS);
    }

    /**
     * As {@link #start(KafkaSettings, SluiceSerdes, Properties, FailoverSettings)}, with the
     * pipeline's delivery mode: the bridge writes JSON results exactly-once unless the mode is
     * at-least-once ({@link DeliveryMode#bridgeGuarantee}).
     */
    public static JsonBridgeApp start(KafkaSettings kafka, SluiceSerdes serdes, Properties overrides,
            FailoverSettings failover, DeliveryMode mode) {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(serdes, "serdes");
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory(APPLICATION_ID + "-state");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory for " + APPLICATION_ID, e);
        }
        Properties config = failover.applyToStreams(config(kafka, stateDir, mode, overrides), false);
        KafkaStreams streams = new KafkaStreams(JsonBridgeTopology.build(serdes, InstantSource.system(),
                MAX_RECORD_BYTES, kafka.topics()), config);
        streams.setUncaughtExceptionHandler(new StreamsThreadPolicy("bridge"));
        LOG.info("json bridge starting: bootstrap={} application.id={} guarantee={} commit.interval.ms={} registry={}",
                kafka.bootstrap(), config.get(StreamsConfig.APPLICATION_ID_CONFIG),
                config.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                config.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG), serdes.registry());
        streams.start();
        return new JsonBridgeApp(streams, stateDir);
    }

    static Properties config(KafkaSettings kafka, Path stateDir, DeliveryMode mode, Properties overrides) {
        Properties p = kafka.clientProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, kafka.topics().group(APPLICATION_ID));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, mode.bridgeGuarantee());
        // short commits: this hop's output is on the latency path of every JSON request
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20);
        p.put(StreamsConfig.producerPrefix("linger.ms"), 5); // the Streams default of 100 ms would delay every request
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // requests are read as bytes and never fail to deserialise; an unreadable result must not
        // stop the bridge for everyone else
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, kafka.topics().dlq());
        // an output that cannot be written (too large, unserialisable) is dead-lettered, never fatal
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        p.put(StreamsConfig.producerPrefix("max.request.size"), MAX_REQUEST_SIZE);
        // a record whose processing throws is dead-lettered and skipped, never retried forever
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        // opt in now to the Kafka 5.0 default (silences a start-up warning; the bridge has no global
        // stores); by name, as the constant is deprecated together with the setting
        p.put("processing.exception.handler.global.enabled", true);
        if (overrides != null) {
            p.putAll(overrides);
        }
        return p;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Running or rebalancing; false once its Streams client has failed or stopped. */
    public boolean healthy() {
        return streams.state().isRunningOrRebalancing();
    }

    /** This component's health, by its Streams client's state. */
    public Health.Report health() {
        return Health.ofStreams("bridge", streams.state());
    }

    @Override
    public void close() {
        // a clean stop leaves the group (a static member would hold its partitions for a session)
        if (!streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(CLOSE_TIMEOUT))) {
            LOG.warn("json bridge did not stop within {}", CLOSE_TIMEOUT);
        }
        deleteQuietly(stateDir);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
