package dev.sluice.launcher;

import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.Plan;
import dev.sluice.avro.ResultStatus;
import dev.sluice.bench.PolicyResult;
import dev.sluice.bench.SummaryJson;
import dev.sluice.catalog.CatalogPublisher;
import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.Percentiles;
import dev.sluice.common.TopicFollower;
import dev.sluice.common.TopicLayout;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.ExecutorHost;
import dev.sluice.executor.ModelResidency;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.decision.trace.PoissonSchedule;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.decision.trace.Traces;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import dev.sluice.selector.SelectorApp;
import dev.sluice.selector.SelectorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The heavy variant served by 1, 2 and 4 executor replicas under the same burst, each count on a
 * fresh embedded broker: throughput, SLO attainment, and how far the selector's latency
 * prediction (the plan's predicted_ms: batching wait, queue ahead, compute) falls from what the
 * executors measured (queue_ms + compute_ms of the answer).
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "The heavy variant with 1, 2 and 4 executor replicas under one burst: throughput, SLO attainment and "
                + "the selector's latency-prediction error per replica count.")
final class BenchScaleCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--replicas", split = ",", defaultValue = "1,2,4", description = "replica counts (default: ${DEFAULT-VALUE})")
    List<Integer> replicas;

    @Option(names = "--variant", description = "the variant scaled out; the selector sends it every request at a floor only it reaches "
            + "(default: the catalog's most accurate, the heavy vgg-tta in the zoo)")
    String variant;

    @Option(names = "--trace", defaultValue = "burst:40:160:10:20",
            description = "arrivals (Traces spec: steady:RATE, burst:BASE:PEAK:FROM:TO, ...) (default: ${DEFAULT-VALUE})")
    String trace;

    @Option(names = "--duration-s", defaultValue = "30", description = "trace length (default: ${DEFAULT-VALUE})")
    double durationS;

    @Option(names = "--deadline-ms", defaultValue = "300", description = "deadline of every request (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads per replica (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--partitions", defaultValue = "4", description = "partitions of every topic (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--warmup-s", defaultValue = "8", description = "warm-up per replica count, not counted (default: ${DEFAULT-VALUE})")
    double warmupS;

    @Option(names = "--seed", defaultValue = "7", description = "Poisson arrivals seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--summary-json", description = "write the results here")
    Path summaryJson;

    /** One replica count's figures. */
    record ScaleResult(double throughputRps, double sloAttainment, Map<String, Double> predictionErrorMs, int predicted,
            int requests, double offeredRps, Map<String, Integer> answers) {}

    @Override
    public Integer call() throws Exception {
        Catalog catalog = cluster.loadCatalog();
        Variant heavy = variant != null ? catalog.variant(variant).orElseThrow(() -> new IllegalArgumentException(
                "no variant '" + variant + "' in " + cluster.catalog))
                : catalog.variants().stream().filter(Variant::isProfiled).max(Comparator.comparingDouble(Variant::accuracy))
                        .orElseThrow(() -> new IllegalArgumentException("no profiled variant in " + cluster.catalog));
        for (int r : replicas) {
            if (r < 1 || r > partitions) {
                throw new IllegalArgumentException("--replicas " + r + ": between 1 and --partitions (" + partitions + ")");
            }
        }
        // a floor only the scaled variant reaches: infaas must send every request to it, or reject it
        double floor = heavy.accuracy();
        List<Variant> above = catalog.forTask(heavy.task()).stream().filter(v -> v.isProfiled() && v.accuracy() >= floor
                && !v.id().equals(heavy.id())).toList();
        if (!above.isEmpty()) {
            throw new IllegalArgumentException(heavy.id() + " is not the most accurate variant of its task (" + above.get(0).id()
                    + " is at least as accurate): the selector would not send it every request; pick --variant");
        }
        RateTrace t = Traces.parse(trace);
        double peak = Traces.peakOf(t, durationS);
        int requests = countArrivals(t, peak);
        FashionMnist test = FashionMnist.test();
        System.out.printf("%s (accuracy %.4f, p50 %.2f ms at batch 1) with %s replicas; %d requests over %.0f s (%s), "
                + "deadline %d ms, floor %.4f; %d cores here, replicas share them%n", heavy.id(), heavy.accuracy(),
                heavy.profile().p50Ms(1), replicas, requests, durationS, trace, deadlineMs, floor,
                Runtime.getRuntime().availableProcessors());
        Map<String, ScaleResult> results = new LinkedHashMap<>();
        for (int r : replicas) {
            ScaleResult res = runOnce(catalog, heavy, r, t, peak, requests, floor, test);
            results.put(Integer.toString(r), res);
            System.out.printf("%d replica(s): throughput %.1f rps, slo %.4f, prediction error p50 %.1f ms p90 %.1f ms (%d of %d "
                    + "predicted), answers %s%n", r, res.throughputRps(), res.sloAttainment(),
                    res.predictionErrorMs().get("p50"), res.predictionErrorMs().get("p90"), res.predicted(), res.requests(),
                    res.answers());
        }
        System.out.println();
        System.out.printf("%-9s %10s %8s %14s %14s%n", "replicas", "tput rps", "slo", "pred.err p50", "pred.err p90");
        results.forEach((r, x) -> System.out.printf("%-9s %10.1f %8.4f %14.1f %14.1f%n", r, x.throughputRps(), x.sloAttainment(),
                x.predictionErrorMs().get("p50"), x.predictionErrorMs().get("p90")));
        if (summaryJson != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("variant", heavy.id());
            json.put("trace", trace);
            json.put("duration_s", durationS);
            json.put("deadline_ms", deadlineMs);
            json.put("partitions", partitions);
            json.put("threads_per_replica", threads);
            json.put("cores", Runtime.getRuntime().availableProcessors());
            json.put("replicas", results);
            SummaryJson.write(summaryJson, json);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return 0;
    }

    private ScaleResult runOnce(Catalog catalog, Variant heavy, int replicaCount, RateTrace t, double peak, int requests,
            double floor, FashionMnist test) throws Exception {
        SluiceSerdes serdes = cluster.serdes();
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            try (Admin admin = broker.admin()) {
                new TopicLayout(partitions, (short) 1, catalog.variants().stream().map(Variant::id).toList()).create(admin);
            }
            new CatalogPublisher(kafka, serdes).publish(catalog, true, System.currentTimeMillis());
            List<AutoCloseable> stack = new ArrayList<>();
            Map<String, Double> predictedMs = new ConcurrentHashMap<>();
            try {
                LiveCatalog live = LiveCatalog.follow(kafka, serdes, catalog, Duration.ofSeconds(15));
                stack.add(live);
                LearningVoters learning = new LearningVoters(kafka, serdes, live);
                stack.add(learning);
                AggregatorApp aggregator = AggregatorApp.start(kafka, serdes, cluster.deliveryMode(),
                        AggregatorConfig.defaults().withCommitInterval(Duration.ofMillis(cluster.commitIntervalMs)),
                        new SimpleMeterRegistry(), java.time.InstantSource.system(), learning.voters);
                stack.add(aggregator);
                List<ExecutorHost> hosts = new ArrayList<>();
                for (int i = 0; i < replicaCount; i++) {
                    ExecutorHost h = ExecutorHost.start(kafka, serdes, live, cluster.catalogDir(), List.of(heavy.id()),
                            ExecutorConfig.defaults(heavy.id() + "-" + i).withDelivery(cluster.deliveryMode())
                                    .withDevice(Device.AUTO).withThreads(threads),
                            ModelResidency.defaults().withEager(true), new SimpleMeterRegistry());
                    stack.add(h);
                    hosts.add(h);
                }
                SelectorApp selector = SelectorApp.start(kafka, serdes, live,
                        SelectorConfig.defaults().withPolicy("infaas").withOverheadMs(60).withInstanceSeed(), cluster.deliveryMode(),
                        cluster.commitIntervalMs, new SimpleMeterRegistry());
                stack.add(selector);
                TopicFollower<Plan> plans = new TopicFollower<>("bench-scale-plans", kafka, kafka.topics().plans(),
                        serdes.<Plan>deserializer(), TopicFollower.Start.END, p -> {
                            if (p.getPredictedMs() > 0) {
                                predictedMs.put(p.getRequestId(), p.getPredictedMs());
                            }
                        });
                stack.add(plans);
                long until = System.currentTimeMillis() + 120_000;
                while (!(selector.state() == KafkaStreams.State.RUNNING && aggregator.state() == KafkaStreams.State.RUNNING
                        && hosts.stream().allMatch(ExecutorHost::ready)
                        && selector.load().replicas(heavy.id(), System.currentTimeMillis()).size() == replicaCount)) {
                    if (System.currentTimeMillis() > until) {
                        throw new IllegalStateException("pipeline with " + replicaCount + " replicas not running within 120 s");
                    }
                    Thread.sleep(100);
                }
                try (SluiceClient client = SluiceClient.connect(kafka, serdes)) {
                    double warmRate = Math.max(1, t.rateAt(0));
                    new LoadRunner(client, test).run(new LoadRunner.Options((int) (warmRate * warmupS), RateTrace.steady(warmRate),
                            deadlineMs, List.of(floor), "infaas", heavy.task(), 5_000), "scale-warmup-" + replicaCount, line -> {});
                    Thread.sleep(2_000);
                    List<RequestOutcome> outcomes = new LoadRunner(client, test).run(new LoadRunner.Options(requests, t, deadlineMs,
                            List.of(floor), "infaas", heavy.task(), 10_000, seed, peak, false), "scale-" + replicaCount,
                            line -> {});
                    PolicyResult pr = PolicyResult.of(outcomes, durationS, 0);
                    List<Double> errors = new ArrayList<>();
                    for (RequestOutcome o : outcomes) {
                        InferenceResult res = o.result();
                        if (res == null || res.getStatus() != ResultStatus.OK) {
                            continue;
                        }
                        Double p = predictedMs.get(o.id());
                        if (p != null) {
                            errors.add(Math.abs(p - (res.getLatency().getQueueMs() + res.getLatency().getComputeMs())));
                        }
                    }
                    double[] sorted = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    Map<String, Double> err = new LinkedHashMap<>();
                    err.put("p50", sorted.length == 0 ? Double.NaN : Percentiles.of(sorted, 0.50));
                    err.put("p90", sorted.length == 0 ? Double.NaN : Percentiles.of(sorted, 0.90));
                    return new ScaleResult(pr.throughputRps(), pr.sloAttainment(), err, sorted.length, outcomes.size(),
                            requests / durationS, servedBy(outcomes));
                }
            } finally {
                for (int i = stack.size() - 1; i >= 0; i--) {
                    try {
                        stack.get(i).close();
                    } catch (Exception e) {
                        System.err.println("closing: " + e);
                    }
                }
            }
        }
    }

    /** Answers per variant as the results name them (the executor replica is not on the result). */
    private static Map<String, Integer> servedBy(List<RequestOutcome> outcomes) {
        Map<String, Integer> m = new java.util.TreeMap<>();
        for (RequestOutcome o : outcomes) {
            if (o.result() != null) {
                m.merge(o.result().getStatus() + ":" + String.join("+", o.result().getVariants()), 1, Integer::sum);
            }
        }
        return m;
    }

    private int countArrivals(RateTrace t, double peak) {
        PoissonSchedule s = new PoissonSchedule(t, peak, new SplittableRandom(seed));
        int n = 0;
        while (s.next() < durationS) {
            n++;
        }
        return n;
    }
}
