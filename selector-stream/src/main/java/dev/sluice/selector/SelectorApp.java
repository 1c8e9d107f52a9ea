package dev.sluice.selector;

import dev.sluice.decision.load.LoadView;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.DeadLetterProductionHandler;
import dev.sluice.common.FailoverSettings;
import dev.sluice.common.Health;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.StreamsThreadPolicy;
import dev.sluice.schemas.Topics;
import dev.sluice.models.Catalog;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.decision.policy.Policies;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The selector as a running Kafka Streams application plus its executor-status listener. */
public final class SelectorApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SelectorApp.class);
    private final KafkaStreams streams;
    private final LoadView load;
    private final Policies policies;
    private final ExecutorStatusListener listener;
    private final FeedbackListener feedback;
    private final KafkaStreamsMetrics streamsMetrics;

    private SelectorApp(KafkaStreams streams, ExecutorStatusListener listener, FeedbackListener feedback,
            KafkaStreamsMetrics streamsMetrics, LoadView load, Policies policies) {
        this.load = load;
        this.policies = policies;
        this.streams = streams;
        this.listener = listener;
        this.feedback = feedback;
        this.streamsMetrics = streamsMetrics;
    }

    public static SelectorApp start(KafkaSettings kafka, SluiceSerdes serdes, Catalog catalog, SelectorConfig config,
            DeliveryMode mode, int commitIntervalMs, MeterRegistry registry) {
        return start(kafka, serdes, () -> catalog, config, mode, commitIntervalMs, registry);
    }

    /** As above, with group membership, session and transaction settings. */
    public static SelectorApp start(KafkaSettings kafka, SluiceSerdes serdes, Catalog catalog, SelectorConfig config,
            DeliveryMode mode, int commitIntervalMs, MeterRegistry registry, FailoverSettings failover) {
        return start(kafka, serdes, () -> catalog, config, mode, commitIntervalMs, registry, failover);
    }

    /** Deciding on the catalog {@code catalog} holds at each request (the live catalog). */
    public static SelectorApp start(KafkaSettings kafka, SluiceSerdes serdes, Supplier<Catalog> catalog, SelectorConfig config,
            DeliveryMode mode, int commitIntervalMs, MeterRegistry registry) {
        return start(kafka, serdes, catalog, config, mode, commitIntervalMs, registry, FailoverSettings.defaults(null));
    }

    /** @param failover group membership, session and transaction settings (static membership when it names an instance id) */
    public static SelectorApp start(KafkaSettings kafka, SluiceSerdes serdes, Supplier<Catalog> catalog, SelectorConfig config,
            DeliveryMode mode, int commitIntervalMs, MeterRegistry registry, FailoverSettings failover) {
        LoadView load = new LoadView(config.statusStaleMs());
        ExecutorStatusListener listener = new ExecutorStatusListener(kafka, serdes, load);
        Policies policies = new Policies(config.policies());
        FeedbackListener feedback = new FeedbackListener(kafka, serdes, policies);
        Properties p = kafka.clientProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-selector");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, mode.streamsGuarantee());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.STATE_DIR_CONFIG, tempStateDir());
        p.put(StreamsConfig.producerPrefix("linger.ms"), 5); // Streams would default to 100 ms
        // requests are read as bytes and decoded by the processor (undecodable ones are dead-lettered there);
        // an output that cannot be written (too large, unserialisable) dead-letters its request instead of
        // stopping the selector on it after every restart
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ);
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        // a request whose processing throws is dead-lettered and skipped, not retried by a replaced thread forever
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        failover.applyToStreams(p, false); // its store holds parts of multi-part requests only: no standbys
        SelectorMetrics metrics = new SelectorMetrics(registry);
        metrics.bindModalityPolicies(policies);
        KafkaStreams streams = new KafkaStreams(
                SelectorTopology.build(serdes, catalog, config, policies, load, InstantSource.system(), metrics), p);
        streams.setUncaughtExceptionHandler(new StreamsThreadPolicy("selector"));
        KafkaStreamsMetrics m = new KafkaStreamsMetrics(streams);
        m.bindTo(registry);
        streams.start();
        log.info("selector started: policy={} overhead={}ms delivery={} commit={}ms admission={} seed={} {}", config.defaultPolicy(),
                config.overheadMs(), mode, commitIntervalMs, config.policies().admitted(), config.policies().seed(), failover);
        return new SelectorApp(streams, listener, feedback, m, load, policies);
    }

    static String tempStateDir() {
        try {
            return Files.createTempDirectory("sluice-streams").toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The live load this replica decides on (executor replicas, queues, staleness). */
    public LoadView load() {
        return load;
    }

    /** The policies of this replica (learning state is per replica). */
    public Policies policies() {
        return policies;
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
        return Health.ofStreams("selector", streams.state());
    }

    @Override
    public void close() {
        // a clean stop leaves the group (see AggregatorApp#close)
        streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(10)));
        streamsMetrics.close();
        listener.close();
        feedback.close();
    }
}
