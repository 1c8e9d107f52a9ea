package dev.sluice.bench;

import dev.sluice.avro.ModelOutput;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Runs the same labelled images through the real pipeline once per configuration (a policy
 * name, usually a pinned one such as {@code fixed:vgg} or {@code cascade}, chosen per request so
 * one stack serves them all), at one steady rate, and measures accuracy, compute per request
 * and latency. Compute comes from the member outputs themselves, read off sluice.partials.
 */
public final class EnsembleBenchmark {
    /** What every request asks for. {@code configs}: display name to policy name. */
    public record Config(Map<String, String> configs, int images, double rate, long deadlineMs, double minAccuracy,
            double pauseS, int warmupRequests) {}

    private final SluiceClient client;
    private final KafkaSettings kafka;
    private final SluiceSerdes serdes;
    private final FashionMnist data;
    private final PipelineCounters counters;

    /** Running totals read off the pipeline's meters: early answers (aggregator), member tasks skipped (executors). */
    public record PipelineCounters(DoubleSupplier earlyAnswers, DoubleSupplier cancelledTasks) {}

    public EnsembleBenchmark(SluiceClient client, KafkaSettings kafka, SluiceSerdes serdes, FashionMnist data,
            PipelineCounters counters) {
        this.client = client;
        this.kafka = kafka;
        this.serdes = serdes;
        this.data = data;
        this.counters = counters;
    }

    public Map<String, EnsembleResult> run(Config c, Consumer<String> progress) {
        ComputeTally tally = new ComputeTally();
        Map<String, EnsembleResult> results = new LinkedHashMap<>();
        try (TopicFollower<ModelOutput> partials = new TopicFollower<>("bench-partials", kafka, kafka.topics().partials(),
                serdes.<ModelOutput>deserializer(), TopicFollower.Start.END, tally::add)) {
            if (c.warmupRequests() > 0) {
                progress.accept("warming up: " + c.warmupRequests() + " requests per configuration's variants (not counted)");
                for (String policy : c.configs().values()) {
                    send(c, policy, Math.min(c.warmupRequests(), c.images()), "warm-" + ComputeTally.idPart(policy), line -> {});
                }
                tally.awaitQuiet((long) (c.pauseS() * 1000), 120_000);
            }
            for (var e : c.configs().entrySet()) {
                String runId = "ens-" + ComputeTally.idPart(e.getKey()) + "-" + Long.toString(System.currentTimeMillis(), 36);
                progress.accept(String.format("%s (%s): %d images at %.0f rps, deadline %d ms", e.getKey(), e.getValue(),
                        c.images(), c.rate(), c.deadlineMs()));
                double early0 = counters.earlyAnswers().getAsDouble();
                double cancelled0 = counters.cancelledTasks().getAsDouble();
                List<RequestOutcome> outcomes = send(c, e.getValue(), c.images(), runId, progress);
                // outputs the aggregator ignored may still be on their way, and a heavy configuration can
                // leave queues behind: wait until the executors have been quiet for the pause
                tally.awaitQuiet((long) (c.pauseS() * 1000), 120_000);
                EnsembleResult r = EnsembleResult.of(e.getValue(), outcomes, tally.totals(runId + "-"),
                        counters.earlyAnswers().getAsDouble() - early0, counters.cancelledTasks().getAsDouble() - cancelled0);
                results.put(e.getKey(), r);
                progress.accept(String.format("%s: accuracy %.4f, compute %.3f ms/request (cpu %.3f), p50 %.0f ms, p99 %.0f ms, %s",
                        e.getKey(), r.accuracy(), r.computeMsPerRequest(), r.cpuMsPerRequest(), r.latencyMs().get("p50"),
                        r.latencyMs().get("p99"), r.statusCounts()));
            }
        }
        return results;
    }

    private List<RequestOutcome> send(Config c, String policy, int n, String runId, Consumer<String> progress) {
        return new LoadRunner(client, data).run(new LoadRunner.Options(n, RateTrace.steady(c.rate()), c.deadlineMs(),
                List.of(c.minAccuracy()), policy, "fashion-mnist", 10_000), runId, progress);
    }

    /** The comparison as a text table, with compute relative to {@code reference} (a config name) when given. */
    public static String table(Map<String, EnsembleResult> results, String reference) {
        EnsembleResult ref = reference == null ? null : results.get(reference);
        StringBuilder b = new StringBuilder(String.format("%-34s %8s %10s %8s %7s %8s %8s %8s %8s %8s %7s %7s  %s%n", "config",
                "accuracy", "compute ms", "vs ref", "cpu ms", "vs ref", "p50 ms", "p99 ms", "members", "escal.", "early",
                "skipped", "statuses"));
        results.forEach((name, r) -> b.append(String.format("%-34s %8.4f %10.3f %8s %7.3f %8s %8.1f %8.1f %8.2f %8.3f %7.3f %7.3f  %s%n",
                name, r.accuracy(), r.computeMsPerRequest(),
                ref == null ? "" : String.format("%.1f%%", 100 * r.computeMsPerRequest() / ref.computeMsPerRequest()),
                r.cpuMsPerRequest(),
                ref == null || !(ref.cpuMsPerRequest() > 0) ? ""
                        : String.format("%.1f%%", 100 * r.cpuMsPerRequest() / ref.cpuMsPerRequest()),
                r.latencyMs().get("p50"), r.latencyMs().get("p99"), r.membersPerRequest(), r.escalationRate(),
                r.earlyAnswerRate(), r.cancelledPerRequest(), r.statusCounts())));
        return b.toString();
    }
}
