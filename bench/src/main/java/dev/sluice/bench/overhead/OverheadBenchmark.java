package dev.sluice.bench.overhead;

import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.Topics;
import dev.sluice.decision.policy.LoadSnapshot;
import dev.sluice.decision.policy.PinnedPolicy;
import dev.sluice.decision.policy.Selection;
import dev.sluice.decision.policy.SelectionRequest;
import dev.sluice.executor.runtime.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The measurements of one delivery mode, in order, on one broker: raw ONNX Runtime on the heaviest
 * variant (pipeline up but idle), the pipeline's sustained
 * throughput on the heaviest and the lightest variant (closed loop), its latency at a fraction
 * of the heavy sustained rate (open loop, Poisson), the record sizes it wrote; then, with the
 * pipeline stopped, the bare Kafka chain with those sizes and the same settings, sustained and
 * at the same rate.
 */
public final class OverheadBenchmark {
    /**
     * @param window requests in flight in the closed loop
     * @param latencyLoad offered load of the latency test, as a fraction of the sustained rate
     * @param latencyOnLight measure latency on the lightest variant (and its sustained rate) instead of the heaviest
     */
    public record Config(Variant heavy, Variant light, int window, double warmupS, double seconds, double latencyLoad,
            boolean latencyOnLight, long seed, int partitions, long streamsCommitMs, long executorCommitMs,
            long deadlineMs, Path catalogDir, Device device, int threads) {
        public Config {
            if (latencyLoad <= 0 || latencyLoad > 1) {
                throw new IllegalArgumentException("latency load must be in (0, 1]");
            }
        }

        ClosedLoop closedLoop() {
            return new ClosedLoop(window, warmupS, seconds, 60);
        }
    }

    private final Config config;
    private final FashionMnist data;
    private final String runTag;

    public OverheadBenchmark(Config config, FashionMnist data) {
        this.config = config;
        this.data = data;
        this.runTag = Long.toString(System.currentTimeMillis(), 36);
    }

    /**
     * The per-request policy that sends every request to {@code v} and nothing else: named, not
     * {@code fixed-high} / {@code fixed-low}, whose pick (the most / least accurate variant) need
     * not be the slowest / fastest one the benchmark measures.
     */
    public static String pin(Variant v) {
        return "fixed:" + v.id();
    }

    /** What {@link #pin}'s policy decides, idle, for an image request of {@code v}'s task in {@code catalog}. */
    public static Selection pinnedSelection(Variant v, Catalog catalog) {
        long now = System.currentTimeMillis();
        return PinnedPolicy.parse(pin(v)).decide(new SelectionRequest("check", v.task(), now, now + 60_000, 0, 0, null,
                List.of("image")), catalog, LoadSnapshot.IDLE, now);
    }

    /**
     * Runs every measurement of {@code mode}. {@code client} talks to a running pipeline on
     * {@code kafka}; {@code stopPipeline} stops it (not the broker) before the bare chain runs.
     */
    public ModeResult runMode(DeliveryMode mode, KafkaSettings kafka, SluiceClient client, Runnable stopPipeline,
            Consumer<String> progress) {
        String m = mode.cliName();
        String tag = runTag + "-" + abbreviation(mode);
        PipelineTarget heavyTarget = new PipelineTarget(client, data, pin(config.heavy()), config.heavy().id(), config.deadlineMs(),
                "ovh-" + tag + "-h-");
        // consumer groups may still be assigning partitions: time nothing until each path answers once
        awaitAnswer(heavyTarget, m + " pipeline (" + config.heavy().id() + ")");
        awaitAnswer(new PipelineTarget(client, data, pin(config.light()), config.light().id(), config.deadlineMs(),
                "ovh-" + tag + "-w-"), m + " pipeline (" + config.light().id() + ")");
        // raw ONNX Runtime right before the pipeline runs, so both see the machine in the same state
        progress.accept(String.format("[%s] raw ONNX Runtime on %s: batches of %d back to back, pipeline idle", m,
                config.heavy().id(), config.heavy().batching().maxBatch()));
        OrtThroughput.Result ort = OrtThroughput.measure(config.heavy(), config.catalogDir(), config.device(),
                config.threads(), data, config.warmupS(), config.seconds());
        double rawOrtRps = ort.rps();
        progress.accept(String.format("[%s] raw ONNX Runtime: %.1f samples/s on %s (%d batches of %d in %.1f s)", m,
                ort.rps(), ort.device(), ort.batches(), ort.batch(), ort.seconds()));
        Map<String, Double>[] cores = coresHolder();
        progress.accept(String.format("[%s] pipeline, every request to %s (pinned): closed loop, %d in flight, "
                + "%.0f s warm-up + %.0f s", m, config.heavy().id(), config.window(), config.warmupS(), config.seconds()));
        Sustained heavy = measureWithCpu(config.closedLoop(), heavyTarget, cores, 0);
        progress.accept(String.format("[%s] pipeline heavy: %.1f rps (%d failed, %d wrong variant); CPU cores by thread: %s",
                m, heavy.rps(), heavy.failed(), heavyTarget.wrongVariant(), cores[0]));

        PipelineTarget lightTarget = new PipelineTarget(client, data, pin(config.light()), config.light().id(), config.deadlineMs(),
                "ovh-" + tag + "-l-");
        progress.accept(String.format("[%s] pipeline, every request to %s (pinned): closed loop", m, config.light().id()));
        Sustained light = measureWithCpu(config.closedLoop(), lightTarget, cores, 1);
        progress.accept(String.format("[%s] pipeline light: %.1f rps (%d failed, %d wrong variant); CPU cores by thread: %s",
                m, light.rps(), light.failed(), lightTarget.wrongVariant(), cores[1]));

        double rate = config.latencyLoad() * (config.latencyOnLight() ? light.rps() : heavy.rps());
        if (!(rate > 0)) {
            throw new IllegalStateException("the pipeline served nothing in the measured window: no sustained rate to "
                    + "take the latency test's rate from; try longer --seconds or --warmup-seconds");
        }
        PipelineTarget latencyTarget = config.latencyOnLight()
                ? new PipelineTarget(client, data, pin(config.light()), config.light().id(), config.deadlineMs(), "ovh-" + tag + "-a-")
                : new PipelineTarget(client, data, pin(config.heavy()), config.heavy().id(), config.deadlineMs(), "ovh-" + tag + "-a-");
        progress.accept(String.format("[%s] pipeline latency at %.1f rps (Poisson, %.0f%% of sustained %s)", m, rate,
                100 * config.latencyLoad(), config.latencyOnLight() ? "light" : "heavy"));
        LatencyStats pipelineLatency = openLoop(rate).run(latencyTarget);
        progress.accept(String.format("[%s] pipeline latency: e2e p50 %.1f p99 %.1f ms, added p50 %.1f p99 %.1f ms, "
                + "stages p50 %s (%d failed, %d unanswered)", m, pipelineLatency.endToEndMs().p50(),
                pipelineLatency.endToEndMs().p99(), pipelineLatency.addedMs().p50(), pipelineLatency.addedMs().p99(),
                pipelineLatency.stagesP50Ms(), pipelineLatency.failed(), pipelineLatency.unanswered()));

        RecordSizes sizes = RecordSizes.sample(kafka, kafka.topics().requests(), kafka.topics().tasks(config.heavy().id()), kafka.topics().plans(),
                kafka.topics().partials(), kafka.topics().results(), 200);
        progress.accept(String.format("[%s] record sizes on the pipeline's topics (median bytes): %s; stopping the pipeline",
                m, sizes));
        stopPipeline.run();

        KafkaChain.Config chainConfig = KafkaChain.Config.of(mode, config.streamsCommitMs(), config.executorCommitMs(),
                config.heavy().batching().maxBatch(), sizes, config.partitions(), "ovh-" + tag + "-c-");
        try (KafkaChain chain = KafkaChain.start(kafka, chainConfig, tag, Duration.ofSeconds(60))) {
            awaitAnswer(chain, m + " bare chain");
            progress.accept(String.format("[%s] bare Kafka chain (%s / %s / %s): closed loop", m, describe(chainConfig.selector()),
                    describe(chainConfig.executor()), describe(chainConfig.aggregator())));
            Sustained chainRate = measureWithCpu(config.closedLoop(), chain, cores, 2);
            progress.accept(String.format("[%s] bare chain: %.1f rps (%d failed); CPU cores by thread: %s", m, chainRate.rps(),
                    chainRate.failed(), cores[2]));
            LatencyStats chainLatency = openLoop(rate).run(chain);
            String commits = chain.commitStats();
            progress.accept(String.format("[%s] bare chain latency at %.1f rps: p50 %.1f p99 %.1f ms (%d unanswered, "
                    + "%d duplicates); commits over both runs: %s", m, rate, chainLatency.endToEndMs().p50(),
                    chainLatency.endToEndMs().p99(), chainLatency.unanswered(), chain.duplicates(), commits));
            if (chain.failure() != null) {
                throw new IllegalStateException("a chain hop failed: " + chain.failure(), chain.failure());
            }
            return ModeResult.of(m, ort.device(), rawOrtRps, heavy, light, chainRate, pipelineLatency, chainLatency, sizes,
                    cpuByRun(cores), commits);
        }
    }

    /** Sends one request at a time until one is answered, for at most 120 s. */
    public static void awaitAnswer(Target target, String what) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = "no answer";
        while (System.nanoTime() < until) {
            try {
                Target.Reply r = target.send().get(10, TimeUnit.SECONDS);
                if (r.ok()) {
                    return;
                }
                last = r.problem();
            } catch (TimeoutException e) {
                last = "no answer within 10 s";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            } catch (ExecutionException e) {
                last = e.getCause().toString();
            }
        }
        throw new IllegalStateException(what + " did not answer within 120 s: " + last);
    }

    private OpenLoop openLoop(double rate) {
        return new OpenLoop(rate, config.warmupS(), config.seconds(), 30, config.seed());
    }

    private static String describe(HopSettings h) {
        return h.role() + (h.transactional() ? " transactional" : " at-least-once")
                + (h.commitIntervalMs() > 0 ? " commit " + h.commitIntervalMs() + " ms" : " commit per poll");
    }

    private static String abbreviation(DeliveryMode mode) {
        return switch (mode) {
            case EXACTLY_ONCE -> "eos";
            case EXACTLY_ONCE_RESULTS -> "eosr";
            case AT_LEAST_ONCE -> "alo";
        };
    }

    /** Runs the closed loop and puts the CPU cores each thread group used in its measured window into {@code cores[slot]}. */
    private static Sustained measureWithCpu(ClosedLoop loop, Target target, Map<String, Double>[] cores, int slot) {
        List<Map<Integer, ThreadCpu.ThreadTicks>> snapshots = new ArrayList<>();
        long[] edges = new long[2];
        Sustained s = loop.run(target, () -> {
            snapshots.add(ThreadCpu.snapshot());
            edges[0] = System.nanoTime();
        }, () -> {
            snapshots.add(ThreadCpu.snapshot());
            edges[1] = System.nanoTime();
        });
        cores[slot] = ThreadCpu.coresByGroup(snapshots.get(0), snapshots.get(1), (edges[1] - edges[0]) / 1e9, 0.02);
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Double>[] coresHolder() {
        return new Map[3];
    }

    private static Map<String, Map<String, Double>> cpuByRun(Map<String, Double>[] cores) {
        Map<String, Map<String, Double>> m = new LinkedHashMap<>();
        m.put("pipeline_heavy", cores[0]);
        m.put("pipeline_light", cores[1]);
        m.put("kafka_chain", cores[2]);
        return m;
    }
}
