package dev.sluice.bench.multimodal;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.Tensor;
import dev.sluice.bench.ComputeTally;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.MultimodalRequests;
import dev.sluice.models.LabelledSet;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Sends the labelled two-modality test samples through the real pipeline once per
 * {@link Strategy}: whole requests or parts a gap apart, speculative or held, under a policy and
 * a rate, and measures the first and the final answer of every sample. One stack serves every
 * strategy (the policy travels per request); compute is read off sluice.partials.
 */
public final class MultimodalBenchmark {
    public record Config(List<Strategy> strategies, int samples, double rate, long gapMs, long deadlineMs,
            double pauseS, int warmup) {}

    private final SluiceClient client;
    private final KafkaSettings kafka;
    private final SluiceSerdes serdes;
    private final LabelledSet data;

    /** {@code data}: labelled samples with every modality the strategies send (spoken Fashion-MNIST). */
    public MultimodalBenchmark(SluiceClient client, KafkaSettings kafka, SluiceSerdes serdes, LabelledSet data) {
        this.client = client;
        this.kafka = kafka;
        this.serdes = serdes;
        this.data = data;
    }

    public Map<String, StrategyResult> run(Config c, Consumer<String> progress) {
        ComputeTally tally = new ComputeTally();
        Map<String, StrategyResult> results = new LinkedHashMap<>();
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-later-parts");
            t.setDaemon(true);
            return t;
        });
        try (TopicFollower<ModelOutput> partials = new TopicFollower<>("bench-partials", kafka, kafka.topics().partials(),
                serdes.<ModelOutput>deserializer(), TopicFollower.Start.END, tally::add)) {
            if (c.warmup() > 0) {
                progress.accept("warming up: " + c.warmup() + " samples per strategy (not counted)");
                for (Strategy s : c.strategies()) {
                    send(c, s, Math.min(c.warmup(), c.samples()), "warm-" + ComputeTally.idPart(s.name()), later, line -> {});
                }
                tally.awaitQuiet((long) (c.pauseS() * 1000), 120_000);
            }
            for (Strategy s : c.strategies()) {
                String runId = "mm-" + ComputeTally.idPart(s.name()) + "-" + Long.toString(System.currentTimeMillis(), 36);
                progress.accept(String.format("%s: %d samples as %s%s at %.0f rps, policy %s, floor %.4f, deadline %d ms",
                        s.name(), c.samples(), String.join(" then ", s.parts()),
                        s.inParts() ? " (" + c.gapMs() + " ms apart, " + (s.speculate() ? "speculative" : "held") + ")" : "",
                        c.rate() * s.rateFactor(), s.policy(), s.minAccuracy(), c.deadlineMs()));
                List<Sent> sent = send(c, s, c.samples(), runId, later, progress);
                tally.awaitQuiet((long) (c.pauseS() * 1000), 120_000);
                StrategyResult r = StrategyResult.of(s.policy(), sent, tally.totals(runId + "-"));
                results.put(s.name(), r);
                progress.accept(String.format("%s: accuracy first %.4f final %.4f, first p50 %.0f ms, final p50 %.0f ms, "
                        + "corrected %.3f, compute %.3f ms, %s", s.name(), r.accuracyFirst(), r.accuracyFinal(),
                        r.firstMs().get("p50"), r.finalMs().get("p50"), r.correctedRate(), r.computeMsPerRequest(),
                        r.statusCounts()));
            }
        } finally {
            later.shutdownNow();
        }
        return results;
    }

    private List<Sent> send(Config c, Strategy s, int n, String runId, ScheduledExecutorService later,
            Consumer<String> progress) {
        List<CompletableFuture<Sent>> futures = new ArrayList<>(n);
        MultimodalRequests build = new MultimodalRequests(MultimodalRequests.Options.defaults()
                .withDeadlineMs(c.deadlineMs()).withMinAccuracy(s.minAccuracy()).withPolicy(s.policy())
                .withFinalOnly(!s.speculate()).withParameters(s.speculate() ? Map.of() : Map.of("speculate", "false")));
        AtomicInteger answered = new AtomicInteger();
        double rate = c.rate() * s.rateFactor();
        long start = System.nanoTime();
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        for (int i = 0; i < n; i++) {
            long due = start + (long) (i / rate * 1e9);
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 1_000_000));
            }
            if (now >= nextReport) {
                progress.accept(String.format("[%6.1fs] sent %6d/%d  answered %6d", (now - start) / 1e9, i, n, answered.get()));
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
            int sample = i % data.size();
            long sentAt = System.currentTimeMillis();
            String id = runId + "-" + i;
            List<InferenceRequest> parts = requests(build, s, id, sample, sentAt);
            AtomicReference<InferenceResult> first = new AtomicReference<>();
            AtomicReference<Long> firstAt = new AtomicReference<>();
            CompletableFuture<InferenceResult> f = client.submit(parts.get(0), r -> {
                if (first.compareAndSet(null, r)) {
                    firstAt.set(System.currentTimeMillis());
                }
            });
            for (int k = 1; k < parts.size(); k++) {
                InferenceRequest part = parts.get(k);
                later.schedule(() -> {
                    try {
                        client.sendPart(part);
                    } catch (IllegalStateException answeredAlready) {
                        // the request ended before this part went out (e.g. invalid): nothing to send it to
                    }
                }, c.gapMs() * k, TimeUnit.MILLISECONDS);
            }
            int label = data.label(sample);
            long deadline = sentAt + c.deadlineMs();
            futures.add(f.thenApply(r -> {
                long at = System.currentTimeMillis();
                answered.incrementAndGet();
                first.compareAndSet(null, r);
                firstAt.compareAndSet(null, at);
                return new Sent(label, sentAt, deadline, first.get(), firstAt.get(), r, at);
            }));
        }
        client.flush();
        long drainUntil = System.currentTimeMillis() + c.deadlineMs() + c.gapMs() * 4 + 30_000;
        while (answered.get() < n && System.currentTimeMillis() < drainUntil) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        progress.accept(String.format("[%6.1fs] sent %6d/%d  answered %6d", (System.nanoTime() - start) / 1e9, n, n,
                answered.get()));
        List<Sent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Sent r = futures.get(i).getNow(null);
            out.add(r != null ? r : new Sent(data.label(i % data.size()), 0, 0, null, 0, null, 0));
        }
        return out;
    }

    /** The records of one sample under {@code s}: one per part, each carrying its modalities' tensors. */
    private List<InferenceRequest> requests(MultimodalRequests build, Strategy s, String id, int sample, long sentAt) {
        List<InferenceRequest> out = new ArrayList<>();
        for (int k = 0; k < s.parts().size(); k++) {
            List<String> modalities = Strategy.modalities(s.parts().get(k));
            List<Tensor> tensors = modalities.stream().map(m -> MultimodalRequests.tensor(m, data.sample(m, sample))).toList();
            out.add(build.build(id, sentAt, modalities, tensors, k, s.parts().size()));
        }
        return out;
    }


    /** The comparison as a text table. */
    public static String table(Map<String, StrategyResult> results) {
        StringBuilder b = new StringBuilder(String.format("%-24s %9s %9s %15s %15s %9s %7s %8s %10s %9s  %s%n", "strategy",
                "acc.first", "acc.final", "first p50/p99", "final p50/p99", "corrected", "slo", "eff.acc", "compute ms",
                "replanned", "final answers by"));
        results.forEach((name, r) -> b.append(String.format("%-24s %9.4f %9.4f %15s %15s %9.3f %7.4f %8.4f %10.3f %9.3f  %s%n",
                name, r.accuracyFirst(), r.accuracyFinal(), pair(r.firstMs()), pair(r.finalMs()), r.correctedRate(),
                r.sloAttainment(), r.effectiveAccuracy(), r.computeMsPerRequest(), r.replannedRate(), r.finalVariants())));
        return b.toString();
    }

    private static String pair(Map<String, Double> p) {
        return String.format("%.0f / %.0f", p.get("p50"), p.get("p99"));
    }
}
