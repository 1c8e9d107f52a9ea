package dev.sluice.launcher;

import dev.sluice.selector.SelectorApp;
import dev.sluice.selector.SelectorConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "selector", mixinStandardHelpOptions = true, description = "Run the selector alone against a Kafka cluster.")
final class SelectorCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--policy", defaultValue = "infaas", description = "default selection policy (default: ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--overhead-ms", defaultValue = "60", description = "latency budgeted for the Kafka hops (default: ${DEFAULT-VALUE})")
    double overheadMs;

    @Override
    public Integer call() {
        try (Metrics metrics = new Metrics();
             SelectorApp app = SelectorApp.start(cluster.kafka(bootstrap), cluster.serdes(), cluster.loadCatalog(),
                     SelectorConfig.defaults().withPolicy(policy).withOverheadMs(overheadMs), cluster.deliveryMode(),
                     cluster.commitIntervalMs, metrics.registry)) {
            metrics.serve(cluster.metricsPort, () -> app.state().isRunningOrRebalancing());
            System.out.printf("selector running against %s, metrics on :%d%n", bootstrap, metrics.port());
            Shutdown.await(() -> System.out.println("stopping selector"));
        }
        return 0;
    }
}
