package dev.sluice.launcher;

import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import dev.sluice.aggregator.WeightsFeedbackListener;
import dev.sluice.catalog.CatalogPublisher;
import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.AccessPolicy;
import dev.sluice.common.Health;
import dev.sluice.common.ScramUsers;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicLayout;
import dev.sluice.decision.cache.PredictionCache;
import dev.sluice.decision.vote.VariantWeights;
import dev.sluice.decision.vote.Voters;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.StandaloneKafka;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.ExecutorHost;
import dev.sluice.executor.ModelResidency;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.json.JsonBridgeApp;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import dev.sluice.selector.SelectorApp;
import dev.sluice.selector.SelectorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one JVM: an embedded broker (unless a bootstrap address is given), the
 * topics, the JSON bridge, the aggregator, one executor per catalog variant, and the selector.
 */
public final class SluiceStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceStack.class);

    /**
     * How to run the stack. {@code cancellations}: early answers tell the executors to skip their
     * requests' queued members (on unless a benchmark compares without). {@code predictionCache}:
     * the selector's prediction cache, null for none.
     */
    public record Options(DeliveryMode delivery, int commitIntervalMs, String policy, double overheadMs, Device device,
            int intraOpThreads, int partitions, boolean cancellations, PredictionCache.Config predictionCache,
            Set<String> tenants, Map<String, Double> tenantQuotas) {
        public Options {
            tenants = Set.copyOf(new TreeSet<>(tenants));
            tenantQuotas = Map.copyOf(tenantQuotas);
        }

        public Options(DeliveryMode delivery, int commitIntervalMs, String policy, double overheadMs, Device device,
                int intraOpThreads, int partitions) {
            this(delivery, commitIntervalMs, policy, overheadMs, device, intraOpThreads, partitions, true);
        }

        public Options(DeliveryMode delivery, int commitIntervalMs, String policy, double overheadMs, Device device,
                int intraOpThreads, int partitions, boolean cancellations) {
            this(delivery, commitIntervalMs, policy, overheadMs, device, intraOpThreads, partitions, cancellations, null,
                    Set.of(), Map.of());
        }

        public Options withPredictionCache(PredictionCache.Config c) {
            return new Options(delivery, commitIntervalMs, policy, overheadMs, device, intraOpThreads, partitions,
                    cancellations, c, tenants, tenantQuotas);
        }

        /** Each of {@code names} gets its own result topic, and (on a secure cluster) a Kafka user that reads only that. */
        public Options withTenants(Set<String> names) {
            return new Options(delivery, commitIntervalMs, policy, overheadMs, device, intraOpThreads, partitions,
                    cancellations, predictionCache, names, tenantQuotas);
        }

        /** Requests/s per tenant at the selector (a tenant not named is unlimited). */
        public Options withTenantQuotas(Map<String, Double> rates) {
            return new Options(delivery, commitIntervalMs, policy, overheadMs, device, intraOpThreads, partitions,
                    cancellations, predictionCache, tenants, rates);
        }

        public static Options defaults() {
            return new Options(DeliveryMode.EXACTLY_ONCE_RESULTS, 20, "infaas", -1, Device.AUTO, 2, 4);
        }

        public Options withCancellations(boolean on) {
            return new Options(delivery, commitIntervalMs, policy, overheadMs, device, intraOpThreads, partitions, on,
                    predictionCache, tenants, tenantQuotas);
        }

        /** The overhead the selector budgets for the Kafka hops; measured defaults per delivery mode. */
        double effectiveOverheadMs() {
            if (overheadMs >= 0) {
                return overheadMs;
            }
            // measured on two cores at ~130 rps: each transactional hop adds about a commit interval or more
            return switch (delivery) {
                case EXACTLY_ONCE -> 150;
                case EXACTLY_ONCE_RESULTS -> 50;
                case AT_LEAST_ONCE -> 30;
            };
        }
    }

    private final AutoCloseable broker;
    /** How a trusted client (the replay, the gateway) reaches the cluster. */
    private final KafkaSettings kafka;
    private final List<AutoCloseable> components = new ArrayList<>();
    private final List<AutoCloseable> afterBroker = new ArrayList<>();
    private final SelectorApp selector;
    private final AggregatorApp aggregator;
    private final JsonBridgeApp bridge;
    private final ExecutorHost executors;
    private final Health health = new Health();
    private final Set<String> tenants;

    /**
     * @param access how each component's Kafka user ({@link AccessPolicy}) reaches the cluster
     *     (on a cluster without authentication, the same settings for all)
     * @param admin the super user's settings: topics and the catalog are set up with them
     */
    private SluiceStack(AutoCloseable broker, Function<String, KafkaSettings> access, KafkaSettings admin, SluiceSerdes serdes,
            Catalog catalog, Path catalogDir, Options o, MeterRegistry registry) {
        this.broker = broker;
        this.kafka = access.apply(AccessPolicy.GATEWAY);
        this.tenants = o.tenants();
        List<String> variants = catalog.variants().stream().map(Variant::id).toList();
        try (Admin a = Admin.create(admin.clientConfig())) {
            new TopicLayout(o.partitions(), (short) 1, variants, admin.topics()).withTenants(o.tenants()).create(a);
        }
        publishUnlessPublished(access.apply(AccessPolicy.CATALOG_ADMIN), serdes, catalog);
        // one follower of the catalog for the selector, the aggregator and the executors: each may read it
        LiveCatalog live = LiveCatalog.follow(access.apply(AccessPolicy.SELECTOR), serdes, catalog, Duration.ofSeconds(15));
        components.add(live);
        bridge = JsonBridgeApp.start(access.apply(AccessPolicy.JSON_BRIDGE), serdes, new Properties(),
                dev.sluice.common.FailoverSettings.defaults(null), o.delivery());
        components.add(bridge);
        KafkaSettings aggregatorKafka = access.apply(AccessPolicy.AGGREGATOR);
        LearningVoters learning = new LearningVoters(aggregatorKafka, serdes, live);
        components.add(learning);
        Voters voters = learning.voters;
        aggregator = AggregatorApp.start(aggregatorKafka, serdes, o.delivery(),
                AggregatorConfig.defaults().withCommitInterval(Duration.ofMillis(o.commitIntervalMs()))
                        .withCancellations(o.cancellations()).withTenantResults(o.tenants()), registry,
                java.time.InstantSource.system(), voters);
        components.add(aggregator);
        executors = ExecutorHost.start(access.apply(AccessPolicy.EXECUTOR), serdes, live, catalogDir, variants,
                ExecutorConfig.defaults("embedded-0").withDelivery(o.delivery()).withDevice(o.device())
                        .withThreads(o.intraOpThreads()),
                // every model loaded before the executors consume: a model loaded on first use costs its first
                // tasks 60 to 170 ms (vgg-b-tta, with warm-up, on two cores), and where a policy first turned to a
                // variant in a burst, that load landed in the burst and was charged to that policy
                ModelResidency.defaults().withEager(true), registry);
        components.add(executors);
        selector = SelectorApp.start(access.apply(AccessPolicy.SELECTOR), serdes, live,
                SelectorConfig.defaults().withPolicy(o.policy()).withOverheadMs(o.effectiveOverheadMs()).withInstanceSeed()
                        .withTenantQuotas(o.tenantQuotas()),
                o.delivery(), o.commitIntervalMs(), registry, dev.sluice.common.FailoverSettings.defaults(null),
                o.predictionCache(), java.util.Map.of());
        components.add(selector);
        health.add(bridge::health).add(selector::health).add(aggregator::health).add(executors::health);
    }

    /**
     * The catalog file becomes the live catalog on a cluster nobody has published one to (a fresh
     * embedded broker always); a published catalog is left as it is, and the components follow it.
     */
    private static void publishUnlessPublished(KafkaSettings kafka, SluiceSerdes serdes, Catalog catalog) {
        CatalogPublisher publisher = new CatalogPublisher(kafka, serdes);
        if (publisher.published().isEmpty()) {
            log.info("catalog: publishing {} variants to an empty sluice.catalog: {}", catalog.variants().size(),
                    publisher.publish(catalog, true, System.currentTimeMillis()));
        } else {
            log.info("catalog: sluice.catalog already holds a catalog; following it, not the file");
        }
    }

    /** Starts everything; {@code bootstrap} null means an embedded broker. */
    public static SluiceStack start(String bootstrap, Path kafkaConfig, SluiceSerdes serdes, Catalog catalog,
            Path catalogDir, Options o, MeterRegistry registry) {
        return start(bootstrap, kafkaConfig, Topics.DEFAULT, serdes, catalog, catalogDir, o, registry);
    }

    /** As above, with every topic, group and transactional id named by {@code names} (a deployment's prefix). */
    public static SluiceStack start(String bootstrap, Path kafkaConfig, Topics names, SluiceSerdes serdes, Catalog catalog,
            Path catalogDir, Options o, MeterRegistry registry) {
        EmbeddedKafka broker = bootstrap == null ? EmbeddedKafka.start() : null;
        KafkaSettings kafka = (broker != null ? KafkaSettings.of(broker.bootstrap()) : KafkaSettings.of(bootstrap, kafkaConfig))
                .withTopics(names);
        return start(broker, user -> kafka, kafka, serdes, catalog, catalogDir, o, registry);
    }

    /**
     * On a cluster that authenticates its clients and authorizes them by ACL ({@link StandaloneKafka}
     * in its secure mode): creates the users of {@link AccessPolicy} with the passwords of
     * {@code users} (the components', the gateway's and each tenant's of {@code o}), and runs each
     * component as its own user. {@code ownsBroker}: close the broker with the stack.
     */
    public static SluiceStack startSecure(StandaloneKafka broker, boolean ownsBroker, ScramUsers users, SluiceSerdes serdes,
            Catalog catalog, Path catalogDir, Options o, MeterRegistry registry) {
        if (!broker.options().isSecure()) {
            throw new IllegalArgumentException("the broker does not authenticate its clients: start it with secure options");
        }
        List<String> variants = catalog.variants().stream().map(Variant::id).toList();
        try (Admin admin = broker.admin()) {
            users.provision(admin, broker.bootstrap(), AccessPolicy.unprefixed().users(variants, o.tenants()));
        } catch (RuntimeException e) {
            if (ownsBroker) {
                broker.close();
            }
            throw e;
        }
        Map<String, Object> adminConfig = new java.util.HashMap<>(broker.clientConfig(StandaloneKafka.ADMIN_USER,
                broker.options().adminPassword()));
        adminConfig.remove("bootstrap.servers");
        KafkaSettings admin = new KafkaSettings(broker.bootstrap(), adminConfig);
        return start(ownsBroker ? broker : null, user -> users.settings(broker.bootstrap(), user), admin, serdes, catalog,
                catalogDir, o, registry);
    }

    /** Every Kafka user a secure stack of {@code o} runs as. */
    public static Set<String> users(Options o) {
        return AccessPolicy.unprefixed().users(List.of(), o.tenants()).keySet();
    }

    private static SluiceStack start(AutoCloseable broker, Function<String, KafkaSettings> access, KafkaSettings admin,
            SluiceSerdes serdes, Catalog catalog, Path catalogDir, Options o, MeterRegistry registry) {
        try {
            SluiceStack s = new SluiceStack(broker, access, admin, serdes, catalog, catalogDir, o, registry);
            s.awaitRunning(Duration.ofSeconds(90));
            return s;
        } catch (RuntimeException e) {
            if (broker != null) {
                try {
                    broker.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    private void awaitRunning(Duration timeout) {
        long until = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < until) {
            if (selector.state() == KafkaStreams.State.RUNNING && aggregator.state() == KafkaStreams.State.RUNNING
                    && bridge.state() == KafkaStreams.State.RUNNING && executors.ready()) {
                log.info("stack running on {}", kafka.bootstrap());
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting");
            }
        }
        throw new IllegalStateException("pipeline did not reach RUNNING within " + timeout.toSeconds() + " s: selector "
                + selector.state() + ", aggregator " + aggregator.state() + ", bridge " + bridge.state());
    }

    /** How a trusted client (the replay, the gateway) reaches the cluster: on a secure cluster, as {@link AccessPolicy#GATEWAY}. */
    public KafkaSettings kafka() {
        return kafka;
    }

    /** The selector's prediction cache ({@link dev.sluice.selector.SelectorCache#OFF} when the options have none). */
    public dev.sluice.selector.SelectorCache selectorCache() {
        return selector.cache();
    }

    /** The tenants with a result topic of their own. */
    public Set<String> tenants() {
        return tenants;
    }

    public Map<String, String> devices() {
        return executors.devices();
    }

    /** The models the executors hold loaded now, least recently used first (all of them from the start). */
    public List<String> residentModels() {
        return executors.residentModels();
    }

    /** Every component of the stack: /health of {@code up --serve} fails when any is not up (a dead bridge included). */
    public Health health() {
        return health;
    }

    public boolean healthy() {
        return health.up();
    }

    /** The JSON bridge (for tests that stop it). */
    JsonBridgeApp bridge() {
        return bridge;
    }

    /** Stops the aggregator only (for restart tests); returns a function that starts a new one. */
    AggregatorApp aggregator() {
        return aggregator;
    }

    @Override
    public void close() {
        // stop the producers of work first, the broker last
        for (int i = components.size() - 1; i >= 0; i--) {
            try {
                components.get(i).close();
            } catch (Exception e) {
                log.warn("closing {}: {}", components.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        if (broker != null) {
            try {
                broker.close();
            } catch (Exception e) {
                log.warn("closing the broker: {}", e.toString());
            }
        }
        for (AutoCloseable c : afterBroker) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("after closing the broker: {}", e.toString());
            }
        }
    }

    /** Runs {@code c} when the stack closes, after its broker (e.g. deleting the broker's temporary data). */
    public void closeAfter(AutoCloseable c) {
        afterBroker.add(c);
    }
}
