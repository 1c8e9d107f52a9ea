package dev.sluice.launcher;

import dev.sluice.bench.SummaryJson;
import dev.sluice.bench.gateway.GatewayBenchmark;
import dev.sluice.bench.gateway.GatewayResult;
import dev.sluice.bench.gateway.GrpcGatewayTarget;
import dev.sluice.bench.gateway.HttpGatewayTarget;
import dev.sluice.bench.overhead.OverheadBenchmark;
import dev.sluice.bench.overhead.PipelineTarget;
import dev.sluice.bench.overhead.Target;
import dev.sluice.executor.runtime.Device;
import dev.sluice.gateway.GatewayConfig;
import dev.sluice.gateway.GatewayServer;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice bench gateway}: the OIP gateway's throughput and added latency over producing to Kafka directly. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {"Measure the OIP (KServe v2) gateway against the Kafka path it fronts, on one embedded pipeline: "
                + "each path's sustained throughput (closed loop, one after another), then every path's latency in one "
                + "open-loop run: Poisson arrivals at --load of the slowest path's sustained rate, each sent through one "
                + "of the paths at random, so that they share the machine's moments. Added latency is the gateway's percentile "
                + "minus the Kafka path's.",
                "Every request goes to one pinned variant (--variant) with a deadline long enough that nothing is "
                        + "dropped. The load generator, the gateway, the pipeline and the broker share this machine."})
final class BenchGatewayCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--protocols", split = ",", defaultValue = "http,grpc",
            description = "gateway protocols to measure, the first one reported at the top level (default: ${DEFAULT-VALUE})")
    List<String> protocols;

    @Option(names = "--variant", defaultValue = "light",
            description = "light (the fastest profiled variant: the gateway's cost shows most), heavy, or a variant id "
                    + "(default: ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--seconds", defaultValue = "15", description = "measured seconds of each run (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--latency-seconds", defaultValue = "30",
            description = "measured seconds of the latency run, every path at once (default: ${DEFAULT-VALUE})")
    double latencySeconds;

    @Option(names = "--warmup-seconds", defaultValue = "5", description = "warm-up before each run (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--window", defaultValue = "128",
            description = "requests in flight in the closed loops (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--load", defaultValue = "0.5",
            description = "the latency run's rate in all, as a fraction of the slowest path's sustained rate (default: ${DEFAULT-VALUE})")
    double load;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads per model (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--partitions", defaultValue = "1", description = "partitions of the request-path topics (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--seed", defaultValue = "7", description = "Poisson arrivals seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--summary-json", description = "write the summary JSON here")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        GatewayBenchmark.Config config = new GatewayBenchmark.Config(window, warmupSeconds, seconds, latencySeconds, load, seed);
        for (String p : protocols) {
            if (!p.equals("http") && !p.equals("grpc")) {
                throw new IllegalArgumentException("--protocols takes http and grpc, got '" + p + "'");
            }
        }
        Catalog catalog = cluster.loadCatalog();
        Variant pinned = pick(catalog, variant);
        String policy = OverheadBenchmark.pin(pinned);
        long timeoutMs = 120_000;
        FashionMnist test = FashionMnist.test();
        SluiceStack.Options o = new SluiceStack.Options(cluster.deliveryMode(), cluster.commitIntervalMs, "infaas", -1,
                Device.parse(device), threads, partitions);
        System.out.printf("bench gateway: every request to %s (%s), %s, %d in flight, %d cores%n", pinned.id(), policy,
                cluster.deliveryMode().cliName(), window, Runtime.getRuntime().availableProcessors());
        GatewayConfig gatewayConfig = GatewayConfig.defaults().withPorts(0, protocols.contains("grpc") ? 0 : -1)
                // admission is not what is measured: the open loop may have more than the window in flight
                .withMaxInFlight(Math.max(4_096, window + 16)).withDefaultTimeoutMs(timeoutMs);
        GatewayResult result;
        try (SluiceStack stack = SluiceStack.start(null, null, cluster.serdes(), catalog, cluster.catalogDir(), o,
                new SimpleMeterRegistry());
             SluiceClient client = SluiceClient.connect(stack.kafka(), cluster.serdes());
             GatewayServer gateway = GatewayServer.start(stack.kafka(), cluster.serdes(), catalog, gatewayConfig,
                     new SimpleMeterRegistry())) {
            Target kafka = new PipelineTarget(client, test, policy, pinned.id(), timeoutMs,
                    "gwb-" + Long.toString(System.currentTimeMillis(), 36) + "-");
            Map<String, Target> gateways = new LinkedHashMap<>();
            GrpcGatewayTarget grpc = null;
            try {
                for (String p : protocols) {
                    if (p.equals("http")) {
                        gateways.put("http", new HttpGatewayTarget(gateway.baseUrl(), test, 1_000, policy, pinned.id(), timeoutMs));
                    } else {
                        grpc = new GrpcGatewayTarget("localhost", gateway.grpcPort(), test, 1_000, policy, pinned.id(), timeoutMs);
                        gateways.put("grpc", grpc);
                    }
                }
                result = new GatewayBenchmark(config).run(kafka, gateways, System.out::println);
            } finally {
                if (grpc != null) {
                    grpc.close();
                }
            }
        }
        System.out.println();
        System.out.print(result.table());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("gateway_rps", result.gatewayRps());
        json.put("kafka_rps", result.kafkaRps());
        json.put("added_latency_ms", result.addedLatencyMs());
        json.put("variant", pinned.id());
        json.put("delivery", cluster.deliveryMode().cliName());
        json.put("window", window);
        json.put("seconds", seconds);
        json.put("warmup_seconds", warmupSeconds);
        json.put("latency_seconds", latencySeconds);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("details", result);
        Map<String, Object> headline = new LinkedHashMap<>(json);
        headline.keySet().retainAll(List.of("gateway_rps", "kafka_rps", "added_latency_ms"));
        System.out.println(SummaryJson.MAPPER.copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(headline));
        if (summaryJson != null) {
            SummaryJson.write(summaryJson, json);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return 0;
    }

    /** light / heavy (fastest / slowest profiled at batch 1) or a variant id. */
    static Variant pick(Catalog catalog, String which) {
        List<Variant> profiled = catalog.variants().stream().filter(Variant::isProfiled).toList();
        Comparator<Variant> byLatency = Comparator.comparingDouble(v -> v.profile().p50Ms(1));
        return switch (which) {
            case "light" -> profiled.stream().min(byLatency).orElseThrow(() -> new IllegalStateException(
                    "no profiled variant in the catalog; run ./sluice profile"));
            case "heavy" -> profiled.stream().max(byLatency).orElseThrow(() -> new IllegalStateException(
                    "no profiled variant in the catalog; run ./sluice profile"));
            default -> catalog.variant(which).orElseThrow(() -> new IllegalArgumentException("--variant: no variant '"
                    + which + "' in the catalog (variants: " + catalog.variants().stream().map(Variant::id).toList() + ")"));
        };
    }
}
