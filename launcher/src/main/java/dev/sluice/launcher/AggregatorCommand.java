package dev.sluice.launcher;

import dev.sluice.catalog.LiveCatalog;
import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import java.util.List;
import java.util.Set;
import dev.sluice.common.Health;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "aggregator", mixinStandardHelpOptions = true, description = "Run the aggregator alone against a Kafka cluster.")
final class AggregatorCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--id", defaultValue = "${env:HOSTNAME:-aggregator-0}",
            description = "instance id, stable across restarts and unique among the aggregators: its static group membership "
                    + "(group.instance.id) derives from it (default: ${DEFAULT-VALUE})")
    String id;

    @Mixin
    FailoverOptions failover;

    @Option(names = "--state-dir", description = "Kafka Streams state directory, kept across restarts: a replacement "
            + "started on the same directory fences its predecessor's open transaction at once (same process id) and "
            + "restores only what its checkpoint lacks (default: a temporary directory, deleted on a clean stop)")
    Path stateDir;

    @Option(names = "--cancellations", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "send the ids of requests answered early to sluice.cancellations, so executors skip their queued "
                    + "members; --no-cancellations on a cluster without that topic (default: ${DEFAULT-VALUE})")
    boolean cancellations;

    @Option(names = "--tenant-results", paramLabel = "TENANT", split = ",",
            description = "tenants whose results also go to their own topic sluice.results.<tenant> (which must exist), "
                    + "so that each may read its own answers only; repeatable or comma-separated (default: none)")
    List<String> tenantResults = List.of();

    @Override
    public Integer call() {
        cluster.checkRanges(); // before building anything from them
        AggregatorConfig cfg = AggregatorConfig.defaults().withCommitInterval(Duration.ofMillis(cluster.commitIntervalMs))
                .withCancellations(cancellations).withTenantResults(Set.copyOf(tenantResults));
        if (stateDir != null) {
            cfg = cfg.withStateDir(stateDir);
        }
        try (Metrics metrics = new Metrics();
             LiveCatalog catalog = cluster.liveCatalog(cluster.kafka(bootstrap));
             LearningVoters learning = new LearningVoters(cluster.kafka(bootstrap), cluster.serdes(), catalog);
             AggregatorApp app = AggregatorApp.start(cluster.kafka(bootstrap), cluster.serdes(), cluster.deliveryMode(), cfg,
                     metrics.registry, java.time.InstantSource.system(), learning.voters, failover.settings(id, cluster.brokerMinSessionMs(bootstrap)))) {
            Health health = new Health().add(app::health);
            metrics.serve(cluster.metricsPort, health);
            System.out.printf("aggregator %s running against %s, metrics on :%d%n", id, bootstrap, metrics.port());
            return Shutdown.await(() -> System.out.println("stopping aggregator"), health);
        }
    }
}
