package dev.sluice.aggregator;

import dev.sluice.common.DeliveryMode;
import dev.sluice.common.DeadLetterProductionHandler;
import dev.sluice.common.FailoverSettings;
import dev.sluice.common.Health;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.StreamsThreadPolicy;
import dev.sluice.decision.vote.Voters;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running aggregator: Kafka Streams over {@link AggregatorTopology}, with its metrics bound. */
public final class AggregatorApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AggregatorApp.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final AggregatorConfig cfg;
    private final Path tempStateDir;

    private AggregatorApp(KafkaStreams streams, KafkaStreamsMetrics streamsMetrics, AggregatorConfig cfg,
                          Path tempStateDir) {
        this.streams = streams;
        this.streamsMetrics = streamsMetrics;
        this.cfg = cfg;
        this.tempStateDir = tempStateDir;
    }

    public static AggregatorApp start(KafkaSettings kafka, SluiceSerdes serdes, DeliveryMode mode,
                                      AggregatorConfig cfg, MeterRegistry registry) {
        return start(kafka, serdes, mode, cfg, registry, InstantSource.system());
    }

    public static AggregatorApp start(KafkaSettings kafka, SluiceSerdes serdes, DeliveryMode mode,
                                      AggregatorConfig cfg, MeterRegistry registry, InstantSource clock) {
        return start(kafka, serdes, mode, cfg, registry, clock, Voters.unweighted());
    }

    /** @param voters the voters; feed ground truth to {@link Voters#weights()} to update weighted majority */
    public static AggregatorApp start(KafkaSettings kafka, SluiceSerdes serdes, DeliveryMode mode,
                                      AggregatorConfig cfg, MeterRegistry registry, InstantSource clock,
                                      Voters voters) {
        return start(kafka, serdes, mode, cfg, registry, clock, voters, FailoverSettings.defaults(null));
    }

    /**
     * @param failover group membership, session, standby and transaction settings (static
     *     membership when it names an instance id; keep the state directory across restarts too,
     *     so that a replacement fences its predecessor's transaction at once)
     */
    public static AggregatorApp start(KafkaSettings kafka, SluiceSerdes serdes, DeliveryMode mode,
                                      AggregatorConfig cfg, MeterRegistry registry, InstantSource clock,
                                      Voters voters, FailoverSettings failover) {
        Path tempStateDir = cfg.stateDir() == null ? createTempStateDir() : null;
        Path stateDir = cfg.stateDir() == null ? tempStateDir : cfg.stateDir();
        log.info("starting aggregator: mode={} registry={} {} {} {}", mode, serdes.registry(), cfg, voters, failover);

        AggregatorMetrics metrics = new AggregatorMetrics(registry);
        KafkaStreams streams = new KafkaStreams(AggregatorTopology.build(serdes, cfg, clock, metrics, voters, kafka.topics()),
                failover.applyToStreams(streamsProperties(kafka, mode, cfg, stateDir), true));
        streams.setUncaughtExceptionHandler(new StreamsThreadPolicy("aggregator"));
        streams.setStateListener((now, before) -> log.info("aggregator streams {} -> {}", before, now));
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.start();
        return new AggregatorApp(streams, streamsMetrics, cfg, tempStateDir);
    }

    static Properties streamsProperties(KafkaSettings kafka, DeliveryMode mode, AggregatorConfig cfg, Path stateDir) {
        Properties p = kafka.clientProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, kafka.topics().group(cfg.applicationId()));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, mode.aggregatorGuarantee());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, cfg.commitInterval().toMillis());
        // Streams defaults its producers to linger.ms=100, which at-least-once would add to every result
        p.put(StreamsConfig.producerPrefix("linger.ms"), 5);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // an unreadable record must not stop the aggregator: log it, copy it to the DLQ, go on
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, kafka.topics().dlq());
        // a result that cannot be written must not stop the aggregator on the same record after every restart
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        // a record whose processing throws is dead-lettered and skipped, not retried by a replaced thread forever
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true); // the Kafka 5.0 default
        return p;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Running or rebalancing; false once Streams has failed or is shutting down. */
    public boolean healthy() {
        return streams.state().isRunningOrRebalancing();
    }

    /** This component's health, by its Streams client's state. */
    public Health.Report health() {
        return Health.ofStreams("aggregator", streams.state());
    }

    @Override
    public void close() {
        // a clean stop leaves the group, so its tasks move at once (a static member would otherwise hold them
        // for a session: its id may never come back, e.g. a new pod name); a crash keeps them for the same id
        boolean closed = streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(cfg.closeTimeout()));
        if (!closed) {
            log.warn("aggregator streams did not close within {}", cfg.closeTimeout());
        }
        streamsMetrics.close();
        if (tempStateDir != null && closed) {
            deleteQuietly(tempStateDir);
        }
        log.info("aggregator closed");
    }

    private static Path createTempStateDir() {
        try {
            return Files.createTempDirectory("sluice-aggregator-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot delete state directory {}: {}", dir, e.getMessage());
        }
    }
}
