package dev.sluice.launcher;

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

    @Override
    public Integer call() {
        try (Metrics metrics = new Metrics();
             JsonBridgeApp app = JsonBridgeApp.start(cluster.kafka(bootstrap), cluster.serdes(), new Properties())) {
            metrics.serve(cluster.metricsPort, () -> app.state().isRunningOrRebalancing());
            System.out.printf("JSON bridge running against %s%n", bootstrap);
            Shutdown.await(() -> System.out.println("stopping bridge"));
        }
        return 0;
    }
}
