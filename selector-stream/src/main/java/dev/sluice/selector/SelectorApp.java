package dev.sluice.selector;

import dev.sluice.decision.cache.PredictionCache;
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
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The selector as a running Kafka Streams application plus its executor-status listener. */
public final class SelectorApp implements AutoCloseable {
    /**
     * How long the selector's producer lingers before it sends a batch of plans and tasks: the
     * period on which tasks reach an executor together (the simulator's --selector-commit-ms
     * under --validate).
     */
    public static final int PRODUCER_LINGER_MS = 5;

    private static final Logger log = LoggerFactory.getLogger(SelectorApp.class);
    private final KafkaStreams streams;
    private final LoadView load;
    private final Policies policies;
    private final ExecutorStatusListener listener;
    private final FeedbackListener feedback;
    private final KafkaStreamsMetrics streamsMetrics;
    private final SelectorCache cache;
    private final ResultsFollower results;

    private SelectorApp(KafkaStreams streams, ExecutorStatusListener listener, FeedbackListener feedback,
            KafkaStreamsMetrics streamsMetrics, LoadView load, Policies policies, SelectorCache cache, ResultsFollower results) {
        this.cache = cache;
        this.results = results;
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
        return start(kafka, serdes, catalog, config, mode, commitIntervalMs, registry, failover, null, Map.of());
    }

    /**
     * With Clipper's prediction cache when {@code cache} is not null (repeated inputs are answered
     * from it; a follower of sluice.results fills it; see {@link SelectorCache}) and, by task, the
     * default label of requests that ask for a default answer at their deadline (parameter
     * {@code deadline_default}) when the cache holds none.
     */
    public static SelectorApp start(KafkaSettings kafka, SluiceSerdes serdes, Supplier<Catalog> catalog, SelectorConfig config,
            DeliveryMode mode, int commitIntervalMs, MeterRegistry registry, FailoverSettings failover,
            PredictionCache.Config cache, Map<String, Integer> defaultLabels) {
        LoadView load = new LoadView(config.statusStaleMs());
        ExecutorStatusListener listener = new ExecutorStatusListener(kafka, serdes, load, registry);
        Policies policies = new Policies(config.policies());
        FeedbackListener feedback = new FeedbackListener(kafka, serdes, policies);
        Properties p = kafka.clientProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, kafka.topics().group("sluice-selector"));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, mode.streamsGuarantee());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.STATE_DIR_CONFIG, tempStateDir());
        p.put(StreamsConfig.producerPrefix("linger.ms"), PRODUCER_LINGER_MS); // Streams would default to 100 ms
        // requests are read as bytes and decoded by the processor (undecodable ones are dead-lettered there);
        // an output that cannot be written (too large, unserialisable) dead-letters its request instead of
        // stopping the selector on it after every restart
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, kafka.topics().dlq());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        // a request whose processing throws is dead-lettered and skipped, not retried by a replaced thread forever
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        failover.applyToStreams(p, false); // its store holds parts of multi-part requests only: no standbys
        SelectorMetrics metrics = new SelectorMetrics(registry);
        metrics.bindModalityPolicies(policies);
        SelectorCache predictions = cache == null && defaultLabels.isEmpty() ? SelectorCache.OFF
                : new SelectorCache(cache == null ? null : new PredictionCache(cache), catalog, InstantSource.system(),
                        defaultLabels);
        predictions.bind(registry);
        ResultsFollower results = predictions.enabled() ? new ResultsFollower(kafka, serdes, predictions) : null;
        KafkaStreams streams = new KafkaStreams(
                SelectorTopology.build(serdes, catalog, config, policies, load, InstantSource.system(), metrics, predictions,
                        kafka.topics()), p);
        streams.setUncaughtExceptionHandler(new StreamsThreadPolicy("selector"));
        KafkaStreamsMetrics m = new KafkaStreamsMetrics(streams);
        m.bindTo(registry);
        streams.start();
        log.info("selector started: policy={} overhead={}ms delivery={} commit={}ms admission={} seed={} {} prediction cache={}",
                config.defaultPolicy(), config.overheadMs(), mode, commitIntervalMs, config.policies().admitted(),
                config.policies().seed(), failover, cache == null ? "off" : cache);
        return new SelectorApp(streams, listener, feedback, m, load, policies, predictions, results);
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

    /** The prediction cache ({@link SelectorCache#OFF} when started without). */
    public SelectorCache cache() {
        return cache;
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
        if (results != null) {
            results.close();
        }
    }
}
