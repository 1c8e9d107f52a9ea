package dev.sluice.bench.overhead;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the overhead benchmark measured under one delivery mode. Ratios: the pipeline's
 * sustained throughput on the heaviest variant over raw ONNX Runtime on it, and on the lightest
 * variant over the bare Kafka chain. Added latency: end to end minus the model compute the
 * result reports, at {@code latencyRateRps} (Poisson), next to the bare chain's end to end at
 * the same rate.
 */
public record ModeResult(
        String deliveryMode,
        String device,
        double rawOrtRps,
        double pipelineHeavyRps,
        double heavyRatio,
        double kafkaChainRps,
        double pipelineLightRps,
        double lightRatio,
        LatencyStats.Quantiles addedLatencyMs,
        LatencyStats.Quantiles kafkaChainLatencyMs,
        LatencyStats.Quantiles pipelineLatencyMs,
        double latencyRateRps,
        Map<String, Double> stagesP50Ms,
        Map<String, Boolean> targets,
        RecordSizes recordSizes,
        Map<String, Object> runs,
        Map<String, Map<String, Double>> cpuCores) {

    /** Targets the issue sets; reported, not enforced. */
    public static final double HEAVY_RATIO_TARGET = 0.95;
    public static final double LIGHT_RATIO_TARGET = 0.8;
    public static final double ADDED_P50_FACTOR = 1.5;
    public static final double ADDED_P99_FACTOR = 2.0;

    public static ModeResult of(String mode, String device, double rawOrtRps, Sustained heavy, Sustained light, Sustained chain,
            LatencyStats pipelineLatency, LatencyStats chainLatency, RecordSizes sizes, Map<String, Map<String, Double>> cpu,
            String chainCommits) {
        double heavyRatio = ratio(heavy.rps(), rawOrtRps);
        double lightRatio = ratio(light.rps(), chain.rps());
        Map<String, Boolean> targets = targets(heavyRatio, lightRatio, pipelineLatency.addedMs(), chainLatency.endToEndMs());
        Map<String, Object> runs = new LinkedHashMap<>();
        runs.put("pipeline_heavy", heavy);
        runs.put("pipeline_light", light);
        runs.put("kafka_chain", chain);
        runs.put("pipeline_latency", pipelineLatency);
        runs.put("kafka_chain_latency", chainLatency);
        runs.put("kafka_chain_commits", chainCommits);
        return new ModeResult(mode, device, round(rawOrtRps), round(heavy.rps()), heavyRatio, round(chain.rps()), round(light.rps()),
                lightRatio, pipelineLatency.addedMs(), chainLatency.endToEndMs(), pipelineLatency.endToEndMs(),
                round(pipelineLatency.offeredRps()), pipelineLatency.stagesP50Ms(), targets, sizes, runs, cpu);
    }

    /** Which targets are met; a NaN measurement meets none. */
    static Map<String, Boolean> targets(double heavyRatio, double lightRatio, LatencyStats.Quantiles added,
            LatencyStats.Quantiles chain) {
        Map<String, Boolean> t = new LinkedHashMap<>();
        t.put("heavy_ratio_at_least_" + HEAVY_RATIO_TARGET, heavyRatio >= HEAVY_RATIO_TARGET);
        t.put("light_ratio_at_least_" + LIGHT_RATIO_TARGET, lightRatio >= LIGHT_RATIO_TARGET);
        t.put("added_p50_within_" + ADDED_P50_FACTOR + "x_chain_p50", added.p50() <= ADDED_P50_FACTOR * chain.p50());
        t.put("added_p99_within_" + ADDED_P99_FACTOR + "x_chain_p99", added.p99() <= ADDED_P99_FACTOR * chain.p99());
        return t;
    }

    /** a / b to 4 decimals; NaN when b is not positive. */
    static double ratio(double a, double b) {
        return b > 0 ? Math.round(a / b * 1e4) / 1e4 : Double.NaN;
    }

    static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 10) / 10.0;
    }
}
