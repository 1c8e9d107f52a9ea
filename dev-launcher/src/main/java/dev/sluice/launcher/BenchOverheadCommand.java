package dev.sluice.launcher;

import dev.sluice.bench.overhead.ModeResult;
import dev.sluice.bench.overhead.OverheadBenchmark;
import dev.sluice.bench.BenchCharts;
import dev.sluice.bench.overhead.OverheadReport;
import dev.sluice.charts.Charts;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.decision.policy.Selection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice bench overhead}: what the pipeline costs over raw ONNX Runtime and over bare Kafka. */
@Command(name = "overhead", mixinStandardHelpOptions = true,
        description = {"Measure the pipeline against raw ONNX Runtime and against a bare Kafka chain with the same hops, "
                + "record sizes and client settings, for each delivery mode, on a fresh embedded broker per mode.",
                "Sustained throughput is closed loop: --window requests in flight, deadlines long enough that nothing "
                        + "is dropped, completions counted over --seconds after --warmup-seconds.",
                "Raw ONNX Runtime is measured in each mode right before the pipeline runs (pipeline up, idle).",
                "--delivery picks the mode whose numbers are repeated at the top level of the summary JSON."})
final class BenchOverheadCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--modes", split = ",", defaultValue = "exactly-once-results,exactly-once,at-least-once",
            description = "delivery modes to measure, each on its own broker (default: ${DEFAULT-VALUE})")
    List<String> modes;

    @Option(names = "--seconds", defaultValue = "15",
            description = "measured seconds of each of the 6 measurements per mode (default: ${DEFAULT-VALUE}; "
                    + "about 7 minutes for three modes)")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "3", description = "warm-up before each measurement (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--window", defaultValue = "512",
            description = "requests in flight in the closed loop; must exceed throughput x latency (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--latency-load", defaultValue = "0.5",
            description = "latency test rate as a fraction of the pipeline's sustained rate (default: ${DEFAULT-VALUE})")
    double latencyLoad;

    @Option(names = "--latency-variant", defaultValue = "heavy",
            description = "heavy or light: which variant (and sustained rate) the latency test uses (default: ${DEFAULT-VALUE})")
    String latencyVariant;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads, as the executor (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--partitions", defaultValue = "1", description = "partitions of the request-path topics (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--seed", defaultValue = "7", description = "Poisson arrivals seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--summary-json", description = "write the summary JSON here")
    Path summaryJson;

    @Option(names = "--html", defaultValue = "overhead.html",
            description = "the table and bar charts of throughput and added latency by delivery mode (default: ${DEFAULT-VALUE})")
    Path html;

    @Override
    public Integer call() throws Exception {
        Catalog catalog = cluster.loadCatalog();
        List<Variant> profiled = catalog.variants().stream().filter(Variant::isProfiled).toList();
        if (profiled.isEmpty()) {
            throw new IllegalStateException("no profiled variant in " + cluster.catalog + "; run ./sluice profile");
        }
        Comparator<Variant> byLatency = Comparator.comparingDouble(v -> v.profile().p50Ms(1));
        Variant heavy = profiled.stream().max(byLatency).orElseThrow();
        Variant light = profiled.stream().min(byLatency).orElseThrow();
        requirePinned(heavy, catalog);
        requirePinned(light, catalog);
        List<DeliveryMode> delivery = modes.stream().map(DeliveryMode::parse).distinct().toList();
        Device dev = Device.parse(device);
        long executorCommitMs = ExecutorConfig.defaults("bench").commitIntervalMs();
        OverheadBenchmark.Config config = new OverheadBenchmark.Config(heavy, light, window, warmupSeconds, seconds,
                latencyLoad, "light".equals(latencyVariant), seed, partitions, cluster.commitIntervalMs, executorCommitMs,
                120_000, cluster.catalogDir(), dev, threads);
        FashionMnist test = FashionMnist.test();

        System.out.printf("heaviest variant %s (max batch %d), lightest %s; %d ONNX Runtime threads; modes %s%n", heavy.id(),
                heavy.batching().maxBatch(), light.id(), threads, delivery.stream().map(DeliveryMode::cliName).toList());
        OverheadBenchmark bench = new OverheadBenchmark(config, test);
        Map<String, ModeResult> results = new LinkedHashMap<>();
        for (DeliveryMode mode : delivery) {
            results.put(mode.cliName(), runMode(bench, mode, catalog, dev));
        }

        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("sustained_method", "closed loop: " + window + " requests in flight, deadline 120 s (nothing dropped), "
                + "completions counted over " + seconds + " s after " + warmupSeconds + " s warm-up");
        setup.put("latency_method", "open loop, Poisson arrivals at " + latencyLoad + " x the pipeline's sustained "
                + latencyVariant + " rate; added = end to end - result compute_ms; the bare chain at the same rate");
        setup.put("heavy_variant", heavy.id());
        setup.put("heavy_max_batch", heavy.batching().maxBatch());
        setup.put("light_variant", light.id());
        setup.put("device", results.values().iterator().next().device());
        setup.put("threads", threads);
        setup.put("partitions", partitions);
        setup.put("streams_commit_interval_ms", cluster.commitIntervalMs);
        setup.put("executor_commit_interval_ms", executorCommitMs);
        setup.put("seconds", seconds);
        setup.put("warmup_seconds", warmupSeconds);
        setup.put("cores", Runtime.getRuntime().availableProcessors());
        String defaultMode = cluster.deliveryMode().cliName();
        OverheadReport report = new OverheadReport(setup, defaultMode, results);
        System.out.println();
        System.out.print(report.table());
        if (html != null) {
            Files.writeString(html, Charts.page("Sluice overhead: the pipeline against raw ONNX Runtime and a bare Kafka chain",
                    report.table(), BenchCharts.overhead(report)));
            System.out.println("charts written to " + html.toAbsolutePath());
        }
        if (summaryJson != null) {
            report.write(summaryJson);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return 0;
    }

    private ModeResult runMode(OverheadBenchmark bench, DeliveryMode mode, Catalog catalog, Device dev) {
        SluiceStack.Options o = new SluiceStack.Options(mode, cluster.commitIntervalMs, "infaas", -1, dev, threads, partitions);
        System.out.printf("%n== %s: starting an embedded broker and the pipeline%n", mode.cliName());
        try (EmbeddedKafka broker = EmbeddedKafka.start(); Metrics metrics = new Metrics()) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            SluiceStack stack = SluiceStack.start(broker.bootstrap(), null, cluster.serdes(), catalog, cluster.catalogDir(), o,
                    metrics.registry);
            metrics.serve(cluster.metricsPort, stack.health()); // each mode's pipeline in turn, on the same port
            System.out.println("metrics at " + metrics.url("/metrics"));
            SluiceClient client = null;
            boolean[] stopped = {false};
            Runnable stop = () -> {};
            try {
                client = SluiceClient.connect(kafka, cluster.serdes());
                SluiceClient c = client;
                stop = () -> {
                    if (!stopped[0]) {
                        stopped[0] = true;
                        c.close();
                        stack.close();
                    }
                };
                return bench.runMode(mode, kafka, client, stop, System.out::println);
            } finally {
                if (client == null) {
                    stack.close();
                } else {
                    stop.run();
                }
            }
        }
    }

    /** The pinned policy must send every request of the variant's task to that variant, or the run measures something else. */
    private static void requirePinned(Variant expected, Catalog catalog) {
        Selection s = OverheadBenchmark.pinnedSelection(expected, catalog);
        if (!s.serve() || !s.variants().equals(List.of(expected.id()))) {
            throw new IllegalStateException(OverheadBenchmark.pin(expected) + " serves " + s.variants() + ", not "
                    + expected.id() + "; the benchmark needs it to pin that variant");
        }
    }
}
