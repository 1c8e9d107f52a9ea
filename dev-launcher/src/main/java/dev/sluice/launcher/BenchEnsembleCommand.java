package dev.sluice.launcher;

import dev.sluice.bench.BenchCharts;
import dev.sluice.bench.EnsembleBenchmark;
import dev.sluice.charts.Charts;
import dev.sluice.bench.EnsembleResult;
import dev.sluice.bench.SummaryJson;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Cascade;
import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice bench ensemble}: accuracy against compute of singles, ensembles, Cocktail, cascades and self-consistency. */
@Command(name = "ensemble", mixinStandardHelpOptions = true,
        description = "Run the test images through the real pipeline under each configuration: every single variant, "
                + "fixed ensembles, the Cocktail selection, cascades and self-consistency; report accuracy, compute "
                + "per request and latency.")
final class BenchEnsembleCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--images", defaultValue = "10000", description = "test images per configuration (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--rate", defaultValue = "40",
            description = "requests per second, steady; every configuration must keep up with it, vgg-tta alone included "
                    + "(on two cores 80 rps did not) (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--deadline-ms", defaultValue = "1000",
            description = "deadline of every request; generous, this measures accuracy and compute (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--min-accuracy", description = "accuracy floor for cocktail and cascade (default: the best single variant's)")
    Double minAccuracy;

    @Option(names = "--self-consistency", defaultValue = "vgg:5",
            description = "variant:views for the self-consistency configuration (default: ${DEFAULT-VALUE})")
    String selfConsistency;

    @Option(names = "--configs", split = ",",
            description = "policy names to compare instead of the default set (e.g. fixed:vgg,cascade,cascade:mlp>vgg@0.9)")
    List<String> configs;

    @Option(names = "--warmup", defaultValue = "200", description = "uncounted requests per configuration first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--pause-s", defaultValue = "3", description = "pause after each configuration (default: ${DEFAULT-VALUE})")
    double pauseS;

    @Option(names = "--cancellations", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "early answers make the executors skip their requests' queued members; --no-cancellations "
                    + "measures without (default: ${DEFAULT-VALUE})")
    boolean cancellations;

    @Option(names = "--max-delay-ms",
            description = "every variant's batching delay for this run instead of the catalog's: a longer wait fills "
                    + "batches (less compute per request) at the cost of latency")
    Double maxDelayMs;

    @Option(names = "--threads", defaultValue = "2",
            description = "ONNX Runtime intra-op threads per model; with 1, a model's wall time is close to its CPU time, so compute "
                    + "compares core time (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--summary-json", description = "write the comparison JSON here")
    Path summaryJson;

    @Option(names = "--html", defaultValue = "ensemble.html",
            description = "the table and accuracy against compute per request, the Pareto front marked (default: ${DEFAULT-VALUE})")
    Path html;

    @Override
    public Integer call() throws Exception {
        Catalog catalog = cluster.loadCatalog();
        if (maxDelayMs != null) {
            for (Variant v : catalog.variants()) {
                catalog = catalog.with(v.withBatching(v.batching().withMaxDelayMs(maxDelayMs)));
            }
        }
        List<Variant> singles = catalog.forTask("fashion-mnist").stream().filter(Variant::isProfiled).toList();
        Variant best = singles.stream().max(Comparator.comparingDouble(Variant::accuracy)).orElseThrow(
                () -> new IllegalStateException("no profiled variant in the catalog: run ./sluice profile"));
        double floor = minAccuracy != null ? minAccuracy : best.accuracy();
        Map<String, String> named = configs != null ? byName(configs) : defaults(catalog, singles);
        String reference = "fixed:" + best.id();
        System.out.printf("%d configurations, %d images each at %.0f rps; best single variant %s (%.4f); floor %.4f%n",
                named.size(), images, rate, best.id(), best.accuracy(), floor);
        FashionMnist test = FashionMnist.test();
        SluiceStack.Options o = new SluiceStack.Options(cluster.deliveryMode(), cluster.commitIntervalMs, "infaas", -1,
                Device.AUTO, threads, 1).withCancellations(cancellations);
        Map<String, EnsembleResult> results;
        try (Metrics metrics = new Metrics();
             SluiceStack stack = SluiceStack.start(null, null, cluster.serdes(), catalog, cluster.catalogDir(), o,
                     metrics.registry);
             SluiceClient client = SluiceClient.connect(stack.kafka(), cluster.serdes())) {
            EnsembleBenchmark.PipelineCounters counters = new EnsembleBenchmark.PipelineCounters(
                    total(metrics.registry, "sluice.aggregator.early.decisions"), total(metrics.registry, "sluice.executor.cancelled"));
            results = new EnsembleBenchmark(client, stack.kafka(), cluster.serdes(), test, counters).run(
                    new EnsembleBenchmark.Config(named, images, rate, deadlineMs, floor, pauseS, warmup), System.out::println);
        }
        System.out.println();
        System.out.print(EnsembleBenchmark.table(results, results.containsKey(reference) ? reference : null));
        Map<String, Object> verdict = verdict(results, reference);
        verdict.forEach((k, v) -> System.out.println(k + ": " + v));
        if (html != null) {
            Files.writeString(html, Charts.page("Sluice ensembles, cascades and single variants: accuracy against compute",
                    EnsembleBenchmark.table(results, results.containsKey(reference) ? reference : null), BenchCharts.ensemble(results)));
            System.out.println("charts written to " + html.toAbsolutePath());
        }
        if (summaryJson != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("images", images);
            json.put("rate_rps", rate);
            json.put("deadline_ms", deadlineMs);
            json.put("min_accuracy", floor);
            json.put("delivery_mode", cluster.deliveryMode().cliName());
            json.put("cancellations", cancellations);
            json.put("intra_op_threads", threads);
            json.put("max_delay_ms", maxDelayMs == null ? "catalog" : maxDelayMs);
            json.put("reference", reference);
            json.put("configs", results);
            json.put("verdict", verdict);
            SummaryJson.write(summaryJson, json);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return 0;
    }

    /** The config other than {@code reference} reaching its accuracy at the least {@code cost}, described against it. */
    private static Optional<String> cheapestAtAccuracy(Map<String, EnsembleResult> results, String reference,
            ToDoubleFunction<EnsembleResult> cost, String what) {
        EnsembleResult ref = results.get(reference);
        return results.entrySet().stream().filter(e -> !e.getKey().equals(reference))
                .filter(e -> e.getValue().accuracy() >= ref.accuracy())
                .min(Comparator.comparingDouble(e -> cost.applyAsDouble(e.getValue())))
                .map(e -> String.format("%s: accuracy %.4f at %.1f%% of its %s", e.getKey(), e.getValue().accuracy(),
                        100 * cost.applyAsDouble(e.getValue()) / cost.applyAsDouble(ref), what));
    }

    /** The running sum of a counter over all its tags (the executors' counters are per variant). */
    private static DoubleSupplier total(MeterRegistry registry, String counter) {
        return () -> registry.find(counter).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static Map<String, String> byName(List<String> policies) {
        Map<String, String> m = new LinkedHashMap<>();
        policies.forEach(p -> m.put(p, p));
        return m;
    }

    /**
     * Every single variant; the catalog's most accurate ensemble and most accurate pair; the
     * Cocktail selection; the cascade policy and the catalog's most accurate cascade; self-consistency.
     */
    Map<String, String> defaults(Catalog catalog, List<Variant> singles) {
        Map<String, String> m = new LinkedHashMap<>();
        singles.forEach(v -> m.put("fixed:" + v.id(), "fixed:" + v.id()));
        Comparator<Ensemble> byAccuracy = Comparator.comparingDouble(Ensemble::accuracy);
        catalog.ensemblesFor("fashion-mnist").stream().max(byAccuracy).ifPresent(e -> put(m, e));
        catalog.ensemblesFor("fashion-mnist").stream().filter(e -> e.members().size() == 2).max(byAccuracy)
                .ifPresent(e -> put(m, e));
        m.put("cocktail", "cocktail");
        m.put("cascade", "cascade");
        catalog.cascadesFor("fashion-mnist").stream().max(Comparator.comparingDouble(Cascade::accuracy)
                .thenComparing(Comparator.comparingDouble(Cascade::escalationRate).reversed())).ifPresent(c -> {
                    String name = "cascade:" + String.join(">", c.stages()) + "@" + c.threshold();
                    m.put(name, name);
                });
        String sc = "self-consistency:" + selfConsistency;
        m.put(sc, sc);
        return m;
    }

    private static void put(Map<String, String> m, Ensemble e) {
        String name = "fixed:" + String.join("+", e.members()) + ":" + e.vote().toLowerCase(java.util.Locale.ROOT);
        m.put(name, name);
    }

    /** The issue's two questions, answered from this run: who matches the best single for least compute; who beats it. */
    static Map<String, Object> verdict(Map<String, EnsembleResult> results, String reference) {
        Map<String, Object> v = new LinkedHashMap<>();
        EnsembleResult ref = results.get(reference);
        if (ref == null) {
            return v;
        }
        v.put("best_single", reference + " accuracy " + String.format("%.4f", ref.accuracy()) + ", compute "
                + String.format("%.3f", ref.computeMsPerRequest()) + " ms/request");
        cheapestAtAccuracy(results, reference, EnsembleResult::computeMsPerRequest, "compute")
                .ifPresentOrElse(s -> v.put("cheapest_at_best_single_accuracy", s),
                        () -> v.put("cheapest_at_best_single_accuracy", "none reached it"));
        if (ref.cpuMsPerRequest() > 0) {
            cheapestAtAccuracy(results, reference, EnsembleResult::cpuMsPerRequest, "model CPU time")
                    .ifPresent(s -> v.put("cheapest_at_best_single_accuracy_by_cpu", s));
        }
        results.entrySet().stream().filter(e -> !e.getKey().equals(reference))
                .max(Comparator.comparingDouble(e -> e.getValue().accuracy()))
                .ifPresent(e -> v.put("most_accurate_other", String.format("%s: accuracy %.4f (%+.4f against the best single)",
                        e.getKey(), e.getValue().accuracy(), e.getValue().accuracy() - ref.accuracy())));
        return v;
    }
}
