package dev.sluice.launcher;

import dev.sluice.common.Health;
import dev.sluice.ingest.json.JsonBridgeApp;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bridge", mixinStandardHelpOptions = true,
        description = "Run the JSON bridge alone: OIP JSON requests in, Avro requests out; Avro results to JSON.")
final class BridgeCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--id", defaultValue = "${env:HOSTNAME:-bridge-0}",
            description = "instance id, stable across restarts and unique among the bridges: its static group membership "
                    + "(group.instance.id) derives from it (default: ${DEFAULT-VALUE})")
    String id;

    @Mixin
    FailoverOptions failover;

    @Override
    public Integer call() {
        cluster.checkRanges(); // before building anything from them
        try (Metrics metrics = new Metrics();
             JsonBridgeApp app = JsonBridgeApp.start(cluster.kafka(bootstrap), cluster.serdes(), new Properties(),
                     failover.settings(id, cluster.brokerMinSessionMs(bootstrap)), cluster.deliveryMode())) {
            Health health = new Health().add(app::health);
            metrics.serve(cluster.metricsPort, health);
            System.out.printf("JSON bridge %s running against %s, metrics on :%d%n", id, bootstrap, metrics.port());
            return Shutdown.await(() -> System.out.println("stopping bridge"), health);
        }
    }
}
