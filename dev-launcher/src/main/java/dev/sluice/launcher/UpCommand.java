package dev.sluice.launcher;

import dev.sluice.common.DeliveryMode;
import dev.sluice.common.ScramUsers;
import dev.sluice.decision.quota.TenantQuotas;
import dev.sluice.embedded.StandaloneKafka;
import dev.sluice.decision.cache.PredictionCache;
import dev.sluice.selector.SelectorCache;
import dev.sluice.executor.runtime.Device;
import dev.sluice.gateway.GatewayConfig;
import dev.sluice.gateway.GatewayServer;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.ingest.load.RunSummary;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Boots the whole pipeline in one JVM and replays the Fashion-MNIST test set through it. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start an embedded Kafka broker and every component in one JVM, replay the Fashion-MNIST test "
                + "images as requests following a steady trace with a burst, and print a summary.")
final class UpCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Mixin
    GatewayOptions gatewayOptions;

    @Mixin
    SecurityOptions security;

    @Option(names = "--tenant-quota", paramLabel = "TENANT=RPS", split = ",",
            description = "requests/s a tenant may send (its burst: one second's worth); over it a request is answered "
                    + "REJECTED with the reason; repeatable or comma-separated; a tenant not named is unlimited (default: none)")
    List<String> tenantQuotas = List.of();

    @Option(names = "--requests", defaultValue = "10000", description = "requests to send (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--rate", defaultValue = "60", description = "steady offered load, requests/s (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--burst-factor", defaultValue = "2.5",
            description = "load multiplier during the burst, from 40%% to 55%% of the run (default: ${DEFAULT-VALUE}; 1 = none)")
    double burstFactor;

    @Option(names = "--deadline-ms", defaultValue = "400", description = "deadline of every request after it is sent (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--min-accuracy", defaultValue = "0,0.89,0.91,0.93", split = ",",
            description = "accuracy floors, assigned to requests in turn (default: ${DEFAULT-VALUE})")
    List<Double> minAccuracy;

    @Option(names = "--policy", defaultValue = "infaas", completionCandidates = PolicyNames.class,
            description = "selection policy: ${COMPLETION-CANDIDATES}, or a pinned fixed:<variant>, cascade:..., "
                    + "self-consistency:... (default: ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--overhead-ms", defaultValue = "-1",
            description = "pipeline overhead the selector budgets for the Kafka hops; -1 = the default of the delivery mode")
    double overheadMs;

    @Option(names = "--device", defaultValue = "auto", description = "auto (CUDA if it loads, else CPU), cpu or cuda (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads per model (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--partitions", defaultValue = "1",
            description = "partitions of the request-path topics; on one machine, one partition means the fewest "
                    + "transaction markers per commit (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--warmup", defaultValue = "600",
            description = "requests sent before the measured run and left out of the summary: the JIT compilers and "
                    + "ONNX Runtime warm up on them (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--prediction-cache", paramLabel = "SIZE,TTL",
            description = "the selector's prediction cache: answer repeated inputs from up to SIZE answers kept TTL "
                    + "(e.g. 100000,10m) when what produced them meets the request's floor (default: off)")
    String predictionCache;

    @Option(names = "--repeat", paramLabel = "EXPONENT[:SEED]",
            description = "inputs repeat: each request carries a test image drawn Zipf-distributed with this exponent "
                    + "(1: the most popular image about one request in ten) instead of the images in turn (default: off)")
    String repeat;

    @Option(names = "--summary-json", description = "write the run summary JSON here")
    Path summaryJson;

    @Option(names = "--serve", description = "do not replay: keep the stack up for outside producers until Ctrl-C")
    boolean serve;

    @Option(names = "--bootstrap", description = "use this Kafka cluster instead of starting an embedded broker")
    String bootstrap;

    @Spec
    CommandSpec spec;

    /** Every option's range, before anything starts. */
    void checkOptions() {
        OptionChecks c = new OptionChecks(spec)
                .atLeast("--requests", requests, 1)
                .positive("--rate", rate)
                .positive("--burst-factor", burstFactor)
                .atLeast("--deadline-ms", deadlineMs, 1)
                .atLeast("--threads", threads, 1)
                .atLeast("--partitions", partitions, 1)
                .atLeast("--warmup", warmup, 0)
                .require(overheadMs >= 0 || overheadMs == -1, "--overhead-ms", overheadMs, ">= 0, or -1 for the default");
        for (double floor : minAccuracy) {
            c.require(floor >= 0 && floor <= 1, "--min-accuracy", floor, "in [0, 1]");
        }
        cluster.check(c);
        security.check(c);
        c.require(!security.secure || cluster.names().equals(Topics.DEFAULT), "--prefix", cluster.names(),
                "left out with --secure (its broker serves one deployment)");
        c.require(!(security.secure && bootstrap != null), "--secure", "with --bootstrap",
                "used without --bootstrap: it secures the embedded broker (give your own cluster's login with --kafka-config)");
        try {
            TenantQuotas.parse(tenantQuotas);
        } catch (IllegalArgumentException e) {
            c.require(false, "--tenant-quota", String.join(",", tenantQuotas), "TENANT=RPS items with RPS > 0");
        }
        if (serve) {
            gatewayOptions.check(c);
        }
    }

    @Override
    public Integer call() {
        checkOptions();
        Catalog catalog = cluster.loadCatalog();
        List<String> unprofiled = catalog.variants().stream().filter(v -> !v.isProfiled()).map(Variant::id).toList();
        if (!unprofiled.isEmpty()) {
            throw new IllegalStateException("variants without measured accuracy/latency: " + unprofiled + "; run ./sluice profile");
        }
        FashionMnist test = serve ? null : FashionMnist.test();
        GatewayConfig gatewayConfig = null;
        if (serve) { // before the stack boots
            gatewayConfig = gatewayOptions.config();
            gatewayOptions.checkPortsFree();
        }
        DeliveryMode mode = cluster.deliveryMode();
        SluiceStack.Options o = new SluiceStack.Options(mode, cluster.commitIntervalMs, policy, overheadMs,
                Device.parse(device), threads, partitions)
                .withPredictionCache(predictionCache == null ? null : PredictionCache.Config.parse(predictionCache))
                .withTenants(security.tenantSet()).withTenantQuotas(TenantQuotas.parse(tenantQuotas).rates());
        System.out.printf("starting Sluice: %s broker%s, delivery %s, policy %s, %d variants%s%s%n",
                bootstrap == null ? "embedded" : bootstrap, security.secure ? " (SCRAM logins, ACLs)" : "", mode, policy,
                catalog.variants().size(), o.tenants().isEmpty() ? "" : ", tenants " + o.tenants(),
                o.tenantQuotas().isEmpty() ? "" : ", quotas " + TenantQuotas.parse(tenantQuotas));
        try (Metrics metrics = new Metrics();
             SluiceStack stack = security.secure ? startSecure(catalog, o, metrics)
                     : SluiceStack.start(bootstrap, cluster.kafkaConfig, cluster.names(), cluster.serdes(), catalog,
                     cluster.catalogDir(), o, metrics.registry)) {
            metrics.serve(cluster.metricsPort, stack.health());
            System.out.printf("pipeline up: bootstrap %s, metrics %s, dashboard %s, devices %s%n",
                    stack.kafka().bootstrap(), metrics.url("/metrics"), metrics.url("/"), stack.devices());
            if (serve) {
                try (GatewayServer gateway = GatewayServer.start(stack.kafka(), cluster.serdes(), catalog,
                        gatewayConfig, metrics.registry)) {
                    printServeHelp(stack, metrics, gateway);
                    Shutdown.await(() -> System.out.println("stopping"));
                }
                return 0;
            }
            return replay(stack, metrics, test, mode, catalog);
        }
    }

    /** An embedded broker that authenticates and authorizes, on a temporary data directory, and the stack on it. */
    private SluiceStack startSecure(Catalog catalog, SluiceStack.Options o, Metrics metrics) {
        try {
            boolean temporary = security.credentialsDir == null;
            Path dir = temporary ? java.nio.file.Files.createTempDirectory("sluice-credentials")
                    : security.credentialsDir.toAbsolutePath();
            ScramUsers users = SecurityOptions.credentials(dir, o.tenants());
            Path data = java.nio.file.Files.createTempDirectory("sluice-secure-kafka");
            SluiceStack stack;
            try {
                StandaloneKafka kafka = StandaloneKafka.start(new StandaloneKafka.Options(1, 0, data)
                        .secure(users.passwords().get(StandaloneKafka.ADMIN_USER)));
                stack = SluiceStack.startSecure(kafka, true, users, cluster.serdes(), catalog, cluster.catalogDir(), o,
                        metrics.registry);
            } catch (RuntimeException e) {
                deleteTree(data);
                throw e;
            }
            // the broker's data and (unless given) the passwords go with it: they serve this run only
            stack.closeAfter(() -> deleteTree(data));
            if (temporary) {
                stack.closeAfter(() -> deleteTree(dir));
            }
            System.out.println("Kafka users (each component and tenant logs in as its own; the replay and the gateway as "
                    + dev.sluice.common.AccessPolicy.GATEWAY + "):");
            System.out.print(SecurityOptions.clientFiles(dir, users));
            return stack;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try {
            ChildProcess.deleteTree(root);
        } catch (java.io.IOException e) {
            System.err.println("could not delete " + root + ": " + e.getMessage());
        }
    }

    private int replay(SluiceStack stack, Metrics metrics, FashionMnist test, DeliveryMode mode, Catalog catalog) {
        double duration = requests / rate; // approximate; the burst shortens it
        RateTrace trace = RateTrace.steadyWithBurst(rate, burstFactor, 0.40 * duration, 0.55 * duration);
        List<RequestOutcome> outcomes;
        long duplicates;
        try (SluiceClient client = SluiceClient.connect(stack.kafka(), cluster.serdes())) {
            LoadRunner runner = new LoadRunner(client, test);
            if (warmup > 0) {
                System.out.printf("warming up with %d requests (not counted) ...%n", warmup);
                runner.run(new LoadRunner.Options(warmup, RateTrace.steady(Math.min(rate, 100)), deadlineMs, minAccuracy,
                        policy, "fashion-mnist", 5_000).withParameters(Map.of(SelectorCache.PARAMETER, "off")), // not cached
                        "warmup" + Long.toString(System.currentTimeMillis(), 36), line -> {});
                sleep(1000);
            }
            System.out.printf("replaying %d test images at %.0f rps (burst x%.1f), deadline %d ms, accuracy floors %s%n",
                    requests, rate, burstFactor, deadlineMs, minAccuracy);
            outcomes = runner.run(new LoadRunner.Options(requests, trace, deadlineMs, minAccuracy, policy, "fashion-mnist",
                    15_000).withRepeat(repeat == null ? null : LoadRunner.Repeat.parse(repeat)),
                    "run" + Long.toString(System.currentTimeMillis(), 36), System.out::println);
            // late duplicates would arrive after the last first answer: give them a moment
            sleep(1000);
            duplicates = client.duplicates();
        }
        Map<String, Double> accuracyByVariant = new TreeMap<>();
        catalog.variants().forEach(v -> accuracyByVariant.put(v.id(), v.accuracy()));
        RunSummary summary = RunSummary.of(outcomes, duplicates, policy, mode.cliName(),
                deadlineMs, accuracyByVariant);
        System.out.println();
        System.out.println("Sluice run summary");
        System.out.print(summary.table());
        System.out.println();
        System.out.print(executorDigest(metrics, stack));
        if (summaryJson != null) {
            summary.write(summaryJson);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return summary.missing() == 0 && summary.duplicates() == 0 ? 0 : 2;
    }

    private static String executorDigest(Metrics metrics, SluiceStack stack) {
        StringBuilder b = new StringBuilder("executors (from /metrics)\n");
        b.append(String.format("  %-10s %-6s %9s %10s %9s %9s %9s %8s%n", "variant", "device", "tasks", "mean batch",
                "full", "max-delay", "deadline", "dropped"));
        Map<String, String> devices = stack.devices();
        for (String v : new TreeMap<>(devices).keySet()) {
            DistributionSummary batch = metrics.registry.find("sluice.executor.batch.size").tag("variant", v).summary();
            double tasks = batch == null ? 0 : batch.totalAmount();
            double mean = batch == null || batch.count() == 0 ? 0 : batch.mean();
            b.append(String.format("  %-10s %-6s %9.0f %10.2f %9.0f %9.0f %9.0f %8.0f%n", v, devices.get(v), tasks, mean,
                    count(metrics, "sluice.executor.flushes", v, "full"), count(metrics, "sluice.executor.flushes", v, "max_delay"),
                    count(metrics, "sluice.executor.flushes", v, "deadline"), count(metrics, "sluice.executor.dropped", v, null)));
        }
        return b.toString();
    }

    private static double count(Metrics m, String name, String variant, String reason) {
        var search = m.registry.find(name).tag("variant", variant);
        if (reason != null) {
            search = search.tag("reason", reason);
        }
        Counter c = search.counter();
        return c == null ? 0 : c.count();
    }

    private static void printServeHelp(SluiceStack stack, Metrics metrics, GatewayServer gateway) {
        String bs = stack.kafka().bootstrap();
        Topics names = stack.kafka().topics();
        System.out.println();
        System.out.println("Sluice is serving. Bootstrap: " + bs + "   OIP gateway: " + gateway.baseUrl()
                + " (gRPC localhost:" + gateway.grpcPort() + ")");
        System.out.println("  Avro requests  -> " + names.requests() + "   (Confluent wire format, registry 'fingerprint')");
        System.out.println("  JSON requests  -> " + names.requestsJson() + "   (Open Inference Protocol JSON + envelope)");
        System.out.println("  results        <- " + names.results() + " (Avro), " + names.resultsJson() + " (JSON)");
        for (String tenant : stack.tenants()) {
            System.out.println("  tenant " + tenant + " <- " + names.tenantResults(tenant) + " (its answers only)");
        }
        System.out.println("  dead letters   <- " + names.dlq());
        System.out.println("  metrics        " + metrics.url("/metrics") + ", dashboard " + metrics.url("/"));
        System.out.println("Example (kcat):");
        System.out.println("  kcat -b " + bs + " -t " + names.requestsJson() + " -P -k r1 <<< '{\"id\":\"r1\",\"task\":\"fashion-mnist\","
                + "\"timeout_ms\":1000,\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[...784 numbers...]}]}'");
        System.out.println("  kcat -b " + bs + " -t " + names.resultsJson() + " -C -o end");
        System.out.println("Example (curl, OIP / KServe v2):");
        System.out.println("  curl -s " + gateway.baseUrl() + "/models/fashion-mnist/infer -d '{\"parameters\":{\"timeout_ms\":500,"
                + "\"min_accuracy\":0.9},\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],"
                + "\"data\":[...784 numbers...]}]}'");
        System.out.println("Ctrl-C stops.");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
