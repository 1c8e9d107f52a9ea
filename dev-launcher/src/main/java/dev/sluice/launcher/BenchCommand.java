package dev.sluice.launcher;

import dev.sluice.bench.HtmlReport;
import dev.sluice.bench.OutcomesCsv;
import dev.sluice.bench.PolicyBenchmark;
import dev.sluice.bench.SummaryJson;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.decision.trace.Traces;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledSet;
import dev.sluice.models.SpokenFashionMnist;
import dev.sluice.models.Variant;
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

/** Benchmarks on the real pipeline. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks on the real pipeline.",
        subcommands = {BenchCommand.Policies.class, BenchEnsembleCommand.class, BenchOverheadCommand.class, BenchScaleCommand.class,
                BenchMultimodalCommand.class, BenchFailoverCommand.class, BenchGatewayCommand.class,
                BenchCacheCommand.class, BenchChaosCommand.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "policies", mixinStandardHelpOptions = true,
            description = "Replay one trace against every selection policy, one after another, on one embedded pipeline.")
    static final class Policies implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--trace", defaultValue = "burst",
                description = "burst, step, diurnal, steady, or a spec (burst:BASE:PEAK:FROM:TO, file:PATH, ...) (default: ${DEFAULT-VALUE})")
        String trace;

        @Option(names = "--policies", split = ",", description = "policies to compare (default: all)")
        List<String> policies;

        @Option(names = "--duration-s", defaultValue = "30", description = "trace length (default: ${DEFAULT-VALUE})")
        double durationS;

        @Option(names = "--deadline-ms", defaultValue = "150", description = "deadline of every request (default: ${DEFAULT-VALUE})")
        long deadlineMs;

        @Option(names = "--min-accuracy", split = ",", defaultValue = "0,0.85,0.89,0.91",
                description = "accuracy floors, assigned in turn (default: ${DEFAULT-VALUE})")
        List<Double> floors;

        @Option(names = "--seed", defaultValue = "7", description = "Poisson arrivals seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--warmup-s", defaultValue = "20", description = "warm-up before the first policy, not counted (default: ${DEFAULT-VALUE})")
        double warmupS;

        @Option(names = "--pause-s", defaultValue = "5", description = "pause between policies so queues drain (default: ${DEFAULT-VALUE})")
        double pauseS;

        @Option(names = "--summary-json", description = "write the comparison JSON here")
        Path summaryJson;

        @Option(names = "--task", defaultValue = "fashion-mnist",
                description = "fashion-mnist (images), or fashion-mnist-spoken (image and audio in each request; the "
                        + "catalog defaults to models/catalog-multimodal.yaml) (default: ${DEFAULT-VALUE})")
        String task;

        @Option(names = "--repeats", defaultValue = "1",
                description = "replay the trace this many times per policy, the policies taking turns; the table pools "
                        + "every round and a second table gives each round's SLO attainment (default: ${DEFAULT-VALUE})")
        int repeats;

        @Option(names = "--html", defaultValue = "policies.html", description = "time-series charts (default: ${DEFAULT-VALUE})")
        Path html;

        @Option(names = "--requests-csv",
                description = "write every request here, one row each: policy, send and answer times, status, variants, "
                        + "stage latencies, reason")
        Path requestsCsv;

        @Override
        public Integer call() throws Exception {
            boolean spoken = BenchMultimodalCommand.TASK.equals(task);
            Catalog catalog = spoken ? cluster.loadCatalogOr("models/catalog-multimodal.yaml") : cluster.loadCatalog();
            if (catalog.forTask(task).isEmpty()) {
                throw new IllegalArgumentException("no variant of task '" + task + "' in " + cluster.catalog);
            }
            Variant heaviest = catalog.forTask(task).stream().filter(Variant::isProfiled)
                    .max(Comparator.comparingDouble(v -> v.profile().p50Ms(1))).orElseThrow();
            double capacity = heaviest.profile().peakThroughput();
            RateTrace t = Traces.named(trace, capacity, durationS);
            double peak = Traces.peakOf(t, durationS);
            dev.sluice.decision.policy.Policies registry = new dev.sluice.decision.policy.Policies(0);
            List<String> names = policies != null ? policies : registry.names();
            System.out.printf("heaviest variant %s serves about %.0f rps alone (profile); trace %s peaks at %.0f rps%n",
                    heaviest.id(), capacity, trace, peak);
            LabelledSet test = spoken ? LabelledSet.spoken(SpokenFashionMnist.test()) : LabelledSet.images(FashionMnist.test());
            SluiceStack.Options o = new SluiceStack.Options(cluster.deliveryMode(), cluster.commitIntervalMs, "infaas", -1,
                    Device.AUTO, 2, 1);
            try (Metrics metrics = new Metrics();
                 SluiceStack stack = SluiceStack.start(null, null, cluster.serdes(), catalog, cluster.catalogDir(), o,
                         metrics.registry);
                 SluiceClient client = SluiceClient.connect(stack.kafka(), cluster.serdes())) {
                metrics.serve(cluster.metricsPort, stack.health());
                System.out.println("metrics at " + metrics.url("/metrics"));
                StringBuilder rows = new StringBuilder(OutcomesCsv.HEADER).append('\n');
                PolicyBenchmark.Report report = new PolicyBenchmark(client, test, metrics.registry).run(
                        new PolicyBenchmark.Config(names, trace, t, peak, durationS, deadlineMs, floors, seed, pauseS, warmupS, task,
                                repeats),
                        System.out::println, (policy, outcomes) -> {
                            if (requestsCsv != null) { // every request's row only when asked for
                                rows.append(OutcomesCsv.rows(policy, outcomes));
                            }
                        });
                if (requestsCsv != null) {
                    Files.writeString(requestsCsv, rows);
                    System.out.println("requests written to " + requestsCsv.toAbsolutePath());
                }
                String table = PolicyBenchmark.table(report.policies());
                System.out.println();
                System.out.print(table);
                if (report.policies().values().stream().anyMatch(r -> r.violations() > 0)) {
                    System.out.println();
                    System.out.print(PolicyBenchmark.violationStagesTable(report.policies()));
                }
                if (repeats > 1) {
                    System.out.println();
                    System.out.print(PolicyBenchmark.roundsTable(report.rounds()));
                }
                Files.writeString(html, HtmlReport.render("Sluice policies on the " + trace + " trace", table, report.series()));
                System.out.println("charts written to " + html.toAbsolutePath());
                if (summaryJson != null) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("task", task);
                    json.put("trace", trace);
                    json.put("duration_s", durationS);
                    json.put("deadline_ms", deadlineMs);
                    json.put("heaviest_variant", heaviest.id());
                    json.put("heaviest_capacity_rps", capacity);
                    json.put("peak_offered_rps", peak);
                    json.put("delivery_mode", cluster.deliveryMode().cliName());
                    json.put("repeats", repeats);
                    json.put("policies", report.policies());
                    if (repeats > 1) {
                        json.put("rounds", report.rounds());
                    }
                    SummaryJson.write(summaryJson, json);
                    System.out.println("summary written to " + summaryJson.toAbsolutePath());
                }
            }
            return 0;
        }
    }
}
