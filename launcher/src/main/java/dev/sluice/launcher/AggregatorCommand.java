package dev.sluice.launcher;

import dev.sluice.catalog.LiveCatalog;
import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
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

    @Option(names = "--state-dir", description = "Kafka Streams state directory (default: a temporary directory)")
    Path stateDir;

    @Option(names = "--cancellations", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "send the ids of requests answered early to sluice.cancellations, so executors skip their queued "
                    + "members; --no-cancellations on a cluster without that topic (default: ${DEFAULT-VALUE})")
    boolean cancellations;

    @Override
    public Integer call() {
        AggregatorConfig cfg = AggregatorConfig.defaults().withCommitInterval(Duration.ofMillis(cluster.commitIntervalMs))
                .withCancellations(cancellations);
        if (stateDir != null) {
            cfg = cfg.withStateDir(stateDir);
        }
        try (Metrics metrics = new Metrics();
             LiveCatalog catalog = cluster.liveCatalog(cluster.kafka(bootstrap));
             LearningVoters learning = new LearningVoters(cluster.kafka(bootstrap), cluster.serdes(), catalog);
             AggregatorApp app = AggregatorApp.start(cluster.kafka(bootstrap), cluster.serdes(), cluster.deliveryMode(), cfg,
                     metrics.registry, java.time.InstantSource.system(), learning.voters)) {
            metrics.serve(cluster.metricsPort, app::healthy);
            System.out.printf("aggregator running against %s, metrics on :%d%n", bootstrap, metrics.port());
            Shutdown.await(() -> System.out.println("stopping aggregator"));
        }
        return 0;
    }
}
