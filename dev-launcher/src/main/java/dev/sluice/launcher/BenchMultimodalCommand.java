package dev.sluice.launcher;

import dev.sluice.bench.SummaryJson;
import dev.sluice.bench.multimodal.MultimodalBenchmark;
import dev.sluice.bench.multimodal.Strategy;
import dev.sluice.bench.multimodal.StrategyResult;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.LabelledSet;
import dev.sluice.models.SpokenFashionMnist;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice bench multimodal}: waiting for every part against speculation, MOSEL under load, single modalities. */
@Command(name = "multimodal", mixinStandardHelpOptions = true,
        description = "Run the spoken Fashion-MNIST test samples (image + audio) through the real pipeline under each "
                + "strategy: parts a gap apart answered when all are in or speculatively, whole requests under MOSEL and "
                + "the all-modalities baseline at a higher load, and each modality alone. Reports the accuracy of the first "
                + "and the final answer, time to each, corrections and compute per request.")
final class BenchMultimodalCommand implements Callable<Integer> {
    static final String TASK = SpokenFashionMnist.TASK;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--samples", defaultValue = "2000",
            description = "test samples per strategy, of 10,000 (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--rate", defaultValue = "30", description = "requests per second, steady (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--gap-ms", defaultValue = "500",
            description = "time between a request's image part and its audio part (default: ${DEFAULT-VALUE})")
    long gapMs;

    @Option(names = "--deadline-ms", defaultValue = "1500",
            description = "deadline of every request, from its first part (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--load-factor", defaultValue = "4",
            description = "rate multiplier of the two load strategies, MOSEL and all-modalities (default: ${DEFAULT-VALUE})")
    double loadFactor;

    @Option(names = "--load-deadline-ms", defaultValue = "150",
            description = "deadline of the load strategies' requests (default: ${DEFAULT-VALUE})")
    long loadDeadlineMs;

    @Option(names = "--min-accuracy",
            description = "accuracy floor (default: the most accurate variant that uses both modalities)")
    Double minAccuracy;

    @Option(names = "--strategies", split = ",",
            description = "strategies to run, of: wait-all, speculative, all-modalities, image-only, audio-only, "
                    + "mosel-load, all-modalities-load (default: all)")
    List<String> only;

    @Option(names = "--warmup", defaultValue = "100", description = "uncounted samples per strategy first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--pause-s", defaultValue = "3", description = "quiet time awaited after each strategy (default: ${DEFAULT-VALUE})")
    double pauseS;

    @Option(names = "--summary-json", description = "write the comparison JSON here")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        Catalog catalog = cluster.loadCatalogOr("models/catalog-multimodal.yaml");
        List<Variant> profiled = catalog.forTask(TASK).stream().filter(Variant::isProfiled).toList();
        if (profiled.isEmpty()) {
            throw new IllegalStateException("no profiled variant of " + TASK + " in the catalog: run "
                    + "./sluice profile --catalog models/catalog-multimodal.yaml");
        }
        double fused = best(profiled, Set.of("image", "audio"));
        double floor = minAccuracy != null ? minAccuracy : fused;
        double image = best(profiled, Set.of("image"));
        double audio = best(profiled, Set.of("audio"));
        List<Strategy> all = List.of(
                new Strategy("wait-all", List.of("image", "audio"), false, "infaas", floor, 1),
                new Strategy("speculative", List.of("image", "audio"), true, "infaas", floor, 1),
                new Strategy("all-modalities", List.of("image+audio"), false, "all-modalities", floor, 1),
                new Strategy("image-only", List.of("image"), false, "infaas", Math.min(floor, image), 1),
                new Strategy("audio-only", List.of("audio"), false, "infaas", Math.min(floor, audio), 1),
                new Strategy("mosel-load", List.of("image+audio"), false, "mosel", floor, loadFactor),
                new Strategy("all-modalities-load", List.of("image+audio"), false, "all-modalities", floor, loadFactor));
        List<Strategy> chosen = new ArrayList<>();
        for (Strategy s : all) {
            if (only == null || only.contains(s.name())) {
                chosen.add(s);
            }
        }
        if (only != null && chosen.size() != only.size()) {
            throw new IllegalArgumentException("unknown strategy in " + only + "; known: "
                    + all.stream().map(Strategy::name).toList());
        }
        System.out.printf("%d strategies, %d samples each at %.0f rps (load strategies x%.1f, deadline %d ms); parts %d ms "
                + "apart; floor %.4f (best image %.4f, audio %.4f, both %.4f)%n", chosen.size(), samples, rate, loadFactor,
                loadDeadlineMs, gapMs, floor, image, audio, fused);
        LabelledSet data = LabelledSet.spoken(SpokenFashionMnist.test());
        SluiceStack.Options o = new SluiceStack.Options(cluster.deliveryMode(), cluster.commitIntervalMs, "infaas", -1,
                Device.AUTO, 2, 1);
        Map<String, StrategyResult> results = new LinkedHashMap<>();
        try (Metrics metrics = new Metrics();
             SluiceStack stack = SluiceStack.start(null, null, cluster.serdes(), catalog, cluster.catalogDir(), o,
                     metrics.registry);
             SluiceClient client = SluiceClient.connect(stack.kafka(), cluster.serdes())) {
            MultimodalBenchmark bench = new MultimodalBenchmark(client, stack.kafka(), cluster.serdes(), data);
            List<Strategy> normal = chosen.stream().filter(s -> s.rateFactor() == 1).toList();
            List<Strategy> loaded = chosen.stream().filter(s -> s.rateFactor() != 1).toList();
            if (!normal.isEmpty()) {
                results.putAll(bench.run(new MultimodalBenchmark.Config(normal, samples, rate, gapMs, deadlineMs, pauseS,
                        warmup), System.out::println));
            }
            if (!loaded.isEmpty()) {
                results.putAll(bench.run(new MultimodalBenchmark.Config(loaded, samples, rate, gapMs, loadDeadlineMs,
                        pauseS, warmup), System.out::println));
            }
        }
        System.out.println();
        System.out.print(MultimodalBenchmark.table(results));
        Map<String, Object> verdict = verdict(results);
        verdict.forEach((k, v) -> System.out.println(k + ": " + v));
        if (summaryJson != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("task", TASK);
            json.put("samples", samples);
            json.put("rate_rps", rate);
            json.put("gap_ms", gapMs);
            json.put("deadline_ms", deadlineMs);
            json.put("load_factor", loadFactor);
            json.put("load_deadline_ms", loadDeadlineMs);
            json.put("min_accuracy", floor);
            json.put("delivery_mode", cluster.deliveryMode().cliName());
            json.put("strategies", results);
            json.put("verdict", verdict);
            SummaryJson.write(summaryJson, json);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return 0;
    }

    private static double best(List<Variant> variants, Set<String> modalities) {
        return variants.stream().filter(v -> Set.copyOf(v.modalities()).equals(modalities)).mapToDouble(Variant::accuracy)
                .max().orElse(0);
    }

    /** The targets, answered from this run. */
    static Map<String, Object> verdict(Map<String, StrategyResult> r) {
        Map<String, Object> v = new LinkedHashMap<>();
        StrategyResult wait = r.get("wait-all");
        StrategyResult spec = r.get("speculative");
        if (wait != null && spec != null) {
            v.put("first_answer_speedup_p50", wait.firstMs().get("p50") / spec.firstMs().get("p50"));
            v.put("final_accuracy_speculative_minus_wait", spec.accuracyFinal() - wait.accuracyFinal());
        }
        StrategyResult all = r.get("all-modalities");
        StrategyResult mosel = r.get("mosel-load");
        StrategyResult allLoad = r.get("all-modalities-load");
        if (mosel != null && allLoad != null) {
            long moselViolations = Math.round((1 - mosel.sloAttainment()) * mosel.samples());
            long allViolations = Math.round((1 - allLoad.sloAttainment()) * allLoad.samples());
            v.put("load_slo_violations_mosel", moselViolations);
            v.put("load_slo_violations_all_modalities", allViolations);
            v.put("load_effective_accuracy_mosel_minus_all", mosel.effectiveAccuracy() - allLoad.effectiveAccuracy());
        }
        if (all != null && mosel != null) {
            v.put("note", "mosel at low load is compared with all-modalities in bench policies; here mosel runs at load only");
        }
        return v;
    }
}
