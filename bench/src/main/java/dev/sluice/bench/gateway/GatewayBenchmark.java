package dev.sluice.bench.gateway;

import dev.sluice.bench.overhead.ClosedLoop;
import dev.sluice.bench.overhead.InterleavedOpenLoop;
import dev.sluice.bench.overhead.LatencyStats;
import dev.sluice.bench.overhead.OverheadBenchmark;
import dev.sluice.bench.overhead.Sustained;
import dev.sluice.bench.overhead.Target;
import dev.sluice.bench.overhead.ThreadCpu;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the OIP gateway costs over producing to Kafka directly, on one running pipeline: each
 * path's sustained throughput (closed loop, one path after another), then every path's latency in
 * one open-loop run (Poisson arrivals at a fraction of the slowest path's sustained rate, each
 * sent through one of the paths at random, so they share the machine's moments). The gateway's added latency
 * is its percentile minus the Kafka path's. Every request goes to one pinned variant with a
 * deadline long enough that nothing is dropped, so every path does the same work.
 */
public final class GatewayBenchmark {
    /**
     * @param window requests in flight in the closed loops (the gateway must admit at least this many)
     * @param latencySeconds measured seconds of the latency run (every path at once)
     * @param load the latency run's offered load in all, as a fraction of the slowest path's sustained rate
     */
    public record Config(int window, double warmupS, double seconds, double latencySeconds, double load, long seed) {
        public Config {
            if (load <= 0 || load > 1) {
                throw new IllegalArgumentException("load must be in (0, 1], got " + load);
            }
            if (window < 1 || seconds <= 0 || latencySeconds <= 0 || warmupS < 0) {
                throw new IllegalArgumentException("window >= 1, seconds > 0 and warm-up >= 0 needed");
            }
        }
    }

    private final Config config;

    public GatewayBenchmark(Config config) {
        this.config = config;
    }

    /**
     * @param kafka the Kafka path (requests produced to sluice.requests by a client in this JVM)
     * @param gateways the gateway's protocols by name ("http", "grpc"), each the same pipeline behind the gateway
     */
    public GatewayResult run(Target kafka, Map<String, Target> gateways, Consumer<String> progress) {
        OverheadBenchmark.awaitAnswer(kafka, "the Kafka path");
        gateways.forEach((name, t) -> OverheadBenchmark.awaitAnswer(t, "the gateway (" + name + ")"));
        ClosedLoop closed = new ClosedLoop(config.window(), config.warmupS(), config.seconds(), 60);

        progress.accept(String.format("Kafka path: closed loop, %d in flight, %.0f s warm-up + %.0f s", config.window(),
                config.warmupS(), config.seconds()));
        Map<String, Map<String, Double>> cores = new LinkedHashMap<>();
        Sustained kafkaRate = withCpu(closed, kafka, cores, "kafka");
        progress.accept(String.format("Kafka path: %.1f rps (%d failed); CPU cores by thread: %s", kafkaRate.rps(),
                kafkaRate.failed(), cores.get("kafka")));
        Map<String, Sustained> gatewayRates = new LinkedHashMap<>();
        double slowest = kafkaRate.rps();
        for (Map.Entry<String, Target> g : gateways.entrySet()) {
            progress.accept(String.format("gateway (%s): closed loop, %d in flight", g.getKey(), config.window()));
            Sustained s = withCpu(closed, g.getValue(), cores, g.getKey());
            progress.accept(String.format("gateway (%s): %.1f rps (%d failed); CPU cores by thread: %s", g.getKey(), s.rps(),
                    s.failed(), cores.get(g.getKey())));
            gatewayRates.put(g.getKey(), s);
            slowest = Math.min(slowest, s.rps());
        }
        double rate = config.load() * slowest;
        if (!(rate > 0)) {
            throw new IllegalStateException("a path served nothing in its measured window: no rate for the latency runs; "
                    + "try longer --seconds or --warmup-seconds");
        }
        Map<String, Target> paths = new LinkedHashMap<>();
        paths.put("kafka", kafka);
        paths.putAll(gateways);
        progress.accept(String.format("latency: %.1f rps in all (Poisson, %.0f%% of the slowest path's sustained rate), "
                + "each arrival through one of %s at random, %.0f s warm-up + %.0f s", rate, 100 * config.load(), paths.keySet(),
                config.warmupS(), config.latencySeconds()));
        Map<String, LatencyStats> latency = new InterleavedOpenLoop(rate, config.warmupS(), config.latencySeconds(), 30,
                config.seed()).run(paths);
        latency.forEach((name, l) -> progress.accept(String.format("%s: p50 %.1f p99 %.1f ms (%d answered, %d failed, "
                + "%d unanswered)", name, l.endToEndMs().p50(), l.endToEndMs().p99(), l.answered(), l.failed(), l.unanswered())));
        LatencyStats kafkaLatency = latency.get("kafka");
        Map<String, LatencyStats> gatewayLatency = new LinkedHashMap<>(latency);
        gatewayLatency.remove("kafka");
        return GatewayResult.of(kafkaRate, kafkaLatency, gatewayRates, gatewayLatency, rate, config.load(), cores);
    }

    /** Runs the closed loop and puts the CPU cores each thread group used in its measured window under {@code key}. */
    private static Sustained withCpu(ClosedLoop loop, Target target, Map<String, Map<String, Double>> cores, String key) {
        List<Map<Integer, ThreadCpu.ThreadTicks>> snapshots = new ArrayList<>();
        long[] edges = new long[2];
        Sustained s = loop.run(target, () -> {
            snapshots.add(ThreadCpu.snapshot());
            edges[0] = System.nanoTime();
        }, () -> {
            snapshots.add(ThreadCpu.snapshot());
            edges[1] = System.nanoTime();
        });
        cores.put(key, ThreadCpu.coresByGroup(snapshots.get(0), snapshots.get(1), (edges[1] - edges[0]) / 1e9, 0.02));
        return s;
    }
}
