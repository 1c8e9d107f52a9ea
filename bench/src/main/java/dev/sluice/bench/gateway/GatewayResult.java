package dev.sluice.bench.gateway;

import dev.sluice.bench.overhead.LatencyStats;
import dev.sluice.bench.overhead.Sustained;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway benchmark's result. The top level is the first protocol measured (HTTP unless only
 * gRPC was): {@code gateway_rps}, {@code kafka_rps}, and {@code added_latency_ms} (the gateway's
 * end-to-end percentile minus the Kafka path's, measured in one run at {@code latency_rate_rps} in
 * all, shared by the paths). {@code protocols}
 * has the same for every protocol, and {@code runs} the raw measurements.
 */
public record GatewayResult(
        double gatewayRps,
        double kafkaRps,
        LatencyStats.Quantiles addedLatencyMs,
        String protocol,
        double latencyRateRps,
        double latencyLoad,
        LatencyStats.Quantiles kafkaLatencyMs,
        LatencyStats.Quantiles gatewayLatencyMs,
        Map<String, Protocol> protocols,
        Map<String, Object> runs) {

    /** One protocol's numbers. */
    public record Protocol(double gatewayRps, LatencyStats.Quantiles addedLatencyMs, LatencyStats.Quantiles latencyMs,
            long failed) {}

    public static GatewayResult of(Sustained kafkaRate, LatencyStats kafkaLatency, Map<String, Sustained> gatewayRates,
            Map<String, LatencyStats> gatewayLatency, double rate, double load, Map<String, Map<String, Double>> cpuCores) {
        if (gatewayRates.isEmpty()) {
            throw new IllegalArgumentException("no gateway protocol measured");
        }
        Map<String, Protocol> protocols = new LinkedHashMap<>();
        Map<String, Object> runs = new LinkedHashMap<>();
        runs.put("kafka_sustained", kafkaRate);
        runs.put("kafka_latency", kafkaLatency);
        gatewayRates.forEach((name, s) -> {
            LatencyStats l = gatewayLatency.get(name);
            protocols.put(name, new Protocol(s.rps(), added(l, kafkaLatency), l.endToEndMs(),
                    s.failed() + l.failed() + l.unanswered()));
            runs.put(name + "_sustained", s);
            runs.put(name + "_latency", l);
        });
        runs.put("cpu_cores_by_thread", cpuCores);
        String first = gatewayRates.keySet().iterator().next();
        Protocol main = protocols.get(first);
        return new GatewayResult(main.gatewayRps(), kafkaRate.rps(), main.addedLatencyMs(), first, round(rate), load,
                kafkaLatency.endToEndMs(), main.latencyMs(), protocols, runs);
    }

    /** The gateway's end-to-end percentiles minus the Kafka path's at the same load. */
    static LatencyStats.Quantiles added(LatencyStats gateway, LatencyStats kafka) {
        return new LatencyStats.Quantiles(round(gateway.endToEndMs().p50() - kafka.endToEndMs().p50()),
                round(gateway.endToEndMs().p99() - kafka.endToEndMs().p99()));
    }

    /** A table for the terminal. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-28s %12s %16s %16s%n", "path", "sustained rps", "p50/p99 ms", "added p50/p99"));
        b.append(String.format("%-28s %12.1f %16s %16s%n", "Kafka (SluiceClient)", kafkaRps, pair(kafkaLatencyMs), "-"));
        protocols.forEach((name, p) -> b.append(String.format("%-28s %12.1f %16s %16s%n", "gateway (" + name + ")",
                p.gatewayRps(), pair(p.latencyMs()), pair(p.addedLatencyMs()))));
        b.append(String.format("latency: one run at %.1f rps in all (Poisson, %.0f%% of the slowest path's sustained rate), "
                + "each arrival through one of the %d paths at random%n", latencyRateRps, 100 * latencyLoad, protocols.size() + 1));
        return b.toString();
    }

    private static String pair(LatencyStats.Quantiles q) {
        return String.format("%.1f/%.1f", q.p50(), q.p99());
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }
}
