package dev.sluice.launcher;

import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.models.Catalog;
import dev.sluice.schemas.RegistryProbe;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every component shares: where Kafka and the registry are, the catalog, delivery, metrics. */
final class ClusterOptions {
    @Option(names = "--registry", defaultValue = "fingerprint",
            description = "'fingerprint' (no registry server; ids derived from the schemas) or an Apicurio Registry 3 URL, "
                    + "e.g. http://registry:8080/apis/registry/v3, checked at start with GET <url>/system/info; see "
                    + "docs/registry.md (default: ${DEFAULT-VALUE})")
    String registry;

    @Option(names = "--registry-config",
            description = "registry client properties file (Apicurio serde settings: apicurio.registry.auth.username, "
                    + "apicurio.registry.auth.password, apicurio.registry.auth.client.id, ...secret, "
                    + "...auth.service.token.endpoint, apicurio.registry.tls.*); needs an --registry URL")
    Path registryConfig;

    @Option(names = "--kafka-config", description = "Kafka client properties file (security.protocol, sasl.*, ssl.*)")
    Path kafkaConfig;

    @Option(names = "--catalog", defaultValue = Catalog.DEFAULT_FILE,
            description = "model catalog file, used until something is published to sluice.catalog (./sluice catalog "
                    + "publish), and the directory its relative model paths resolve in (default: ${DEFAULT-VALUE})")
    Path catalog;

    @Option(names = "--delivery", defaultValue = "exactly-once-results", completionCandidates = DeliveryModeNames.class,
            description = "${COMPLETION-CANDIDATES}: exactly-once has transactions on every hop, exactly-once-results makes "
                    + "only the aggregator transactional (it drops upstream redeliveries), at-least-once has none "
                    + "(default: ${DEFAULT-VALUE})")
    String delivery;

    @Option(names = "--commit-interval-ms", defaultValue = "20",
            description = "Kafka Streams commit interval; under exactly-once, output becomes visible at commit (default: ${DEFAULT-VALUE})")
    int commitIntervalMs;

    @Option(names = "--prefix", defaultValue = "",
            description = "namespace of this deployment on the Kafka cluster: put before every topic name (with 'team-a.' the "
                    + "requests topic is team-a.sluice.requests) and, unless --group-prefix says otherwise, every consumer "
                    + "group, Streams application id and transactional id, so that two deployments share one cluster; every "
                    + "component and client of a deployment needs the same value (default: none)")
    String prefix;

    @Option(names = "--group-prefix",
            description = "prefix of consumer groups, Streams application ids and transactional ids (default: --prefix)")
    String groupPrefix;

    @Option(names = "--metrics-port", defaultValue = "9400", description = "Prometheus /metrics port, 0 for any (default: ${DEFAULT-VALUE})")
    int metricsPort;

    /** The ranges of these options (see {@link OptionChecks}). */
    void check(OptionChecks c) {
        c.atLeast("--commit-interval-ms", commitIntervalMs, 1).port("--metrics-port", metricsPort, false);
        String legal = "ASCII letters, digits, '.', '_' or '-' (Kafka's rule for topic names), at most 100 characters";
        c.require(legalPrefix(prefix), "--prefix", "'" + prefix + "'", legal);
        c.require(groupPrefix == null || legalPrefix(groupPrefix), "--group-prefix", "'" + groupPrefix + "'", legal);
        try {
            DeliveryMode.parse(delivery);
        } catch (IllegalArgumentException e) {
            c.require(false, "--delivery", delivery, String.join(", ", new DeliveryModeNames()));
        }
        if (registry != null && !registry.isBlank() && !registry.strip().equals(SluiceSerdes.FINGERPRINT)) {
            RegistryProbe.urlProblem(registry.strip()).ifPresent(p -> c.require(false, "--registry", p,
                    "'" + SluiceSerdes.FINGERPRINT + "' or an Apicurio Registry 3 URL ending in " + RegistryProbe.NATIVE_API));
        }
        c.require(registryConfig == null || !isFingerprint(), "--registry-config", registryConfig,
                "given with an --registry URL only; with 'fingerprint' there is no registry server");
    }

    private boolean isFingerprint() {
        return registry == null || registry.isBlank() || registry.strip().equals(SluiceSerdes.FINGERPRINT);
    }

    private SluiceSerdes serdes;

    /**
     * The serdes of --registry and --registry-config, after these options' ranges are checked and,
     * the first time, the registry server is probed with {@link RegistryProbe} (a clear, bounded
     * failure naming the URL when it is not a reachable Apicurio Registry 3, or refuses the credentials).
     */
    SluiceSerdes serdes() {
        checkRanges();
        if (serdes == null) { // built and probed once: the registry-config file is read once
            SluiceSerdes s = unprobedSerdes();
            RegistryProbe.check(s);
            serdes = s;
        }
        return serdes;
    }

    private SluiceSerdes unprobedSerdes() {
        if (registryConfig == null) {
            return SluiceSerdes.of(registry);
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = java.nio.file.Files.newBufferedReader(registryConfig)) {
            p.load(r);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read --registry-config " + registryConfig + ": " + e.getMessage(), e);
        }
        java.util.Map<String, Object> settings = new java.util.HashMap<>();
        p.forEach((k, v) -> settings.put(k.toString(), v.toString()));
        try {
            return SluiceSerdes.of(registry, settings);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--registry-config " + registryConfig + ": " + e.getMessage(), e);
        }
    }

    private static boolean legalPrefix(String p) {
        try {
            Topics.prefixed(p, "");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** This deployment's topic, group and transactional id names (--prefix, --group-prefix). */
    Topics names() {
        return Topics.prefixed(prefix, groupPrefix == null ? prefix : groupPrefix);
    }

    DeliveryMode deliveryMode() {
        return DeliveryMode.parse(delivery);
    }

    private KafkaSettings probed;

    /** Checks these options' ranges for the command they are mixed into (a usage error, exit code 2). */
    void checkRanges() {
        if (mixee != null) {
            check(new OptionChecks(mixee));
        }
    }

    /** The command these options are mixed into, so that every command checks their ranges before connecting. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private java.util.OptionalLong brokerMinSessionMs = java.util.OptionalLong.empty();

    /**
     * The cluster's settings, reached once with {@link KafkaProbe} (a clear, bounded failure when it
     * cannot be), after these options' ranges are checked (a usage error, exit code 2, before anything connects).
     */
    KafkaSettings kafka(String bootstrap) {
        checkRanges();
        if (probed == null || !probed.bootstrap().equals(bootstrap)) {
            KafkaSettings k = KafkaSettings.of(bootstrap, kafkaConfig).withTopics(names());
            brokerMinSessionMs = KafkaProbe.check(k);
            probed = k;
        }
        return probed;
    }

    /** The brokers' {@code group.min.session.timeout.ms}, as the probe of {@link #kafka} read it (empty: unknown). */
    java.util.OptionalLong brokerMinSessionMs(String bootstrap) {
        kafka(bootstrap);
        return brokerMinSessionMs;
    }

    /**
     * The live catalog: what sluice.catalog holds, or this command's --catalog file until someone
     * publishes to it. Waits for the records already published before the component starts.
     */
    LiveCatalog liveCatalog(KafkaSettings kafka) {
        return LiveCatalog.follow(kafka, serdes(), loadCatalog(), Duration.ofSeconds(15));
    }

    Catalog loadCatalog() {
        return Catalog.load(catalog);
    }

    /** The catalog, or {@code whenDefault} when --catalog was left at its default (a command made for another task). */
    Catalog loadCatalogOr(String whenDefault) {
        if (catalog.equals(Path.of(Catalog.DEFAULT_FILE))) {
            catalog = Path.of(whenDefault);
        }
        return loadCatalog();
    }

    Path catalogDir() {
        Path parent = catalog.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}
