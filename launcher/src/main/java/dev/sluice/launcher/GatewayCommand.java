package dev.sluice.launcher;

import dev.sluice.gateway.GatewayConfig;
import dev.sluice.gateway.GatewayServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run the Open Inference Protocol (KServe v2) gateway alone: HTTP and gRPC in, Kafka requests out, "
                + "one answer per call from the results topic. The model name is a catalog task.")
final class GatewayCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Mixin
    GatewayOptions options;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OptionChecks checks = new OptionChecks(spec);
        cluster.check(checks);
        options.check(checks); // before anything connects
        GatewayConfig config = options.config();
        var serdes = cluster.serdes();
        var catalog = cluster.loadCatalog();
        try (Metrics metrics = new Metrics();
             GatewayServer gateway = GatewayServer.start(cluster.kafka(bootstrap), serdes, catalog, config, metrics.registry)) {
            metrics.serve(cluster.metricsPort, gateway.gateway()::ready);
            System.out.printf("OIP gateway: %s (HTTP), localhost:%d (gRPC) against %s; metrics %s%n", gateway.baseUrl(),
                    gateway.grpcPort(), bootstrap, metrics.url("/metrics"));
            Shutdown.await(() -> System.out.println("stopping gateway"));
        }
        return 0;
    }
}
