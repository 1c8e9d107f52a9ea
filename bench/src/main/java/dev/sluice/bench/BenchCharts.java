package dev.sluice.bench;

import dev.sluice.bench.overhead.ModeResult;
import dev.sluice.bench.overhead.OverheadReport;
import dev.sluice.charts.Charts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;

/** The chart pages of {@code bench ensemble} and {@code bench overhead} (self-contained HTML, inline SVG). */
public final class BenchCharts {
    private BenchCharts() {}

    /**
     * bench ensemble: accuracy against the compute each configuration spends per request, the
     * Pareto front (no cheaper configuration is as accurate) marked; a second chart against the
     * executor threads' CPU time when it was measured.
     */
    public static List<JFreeChart> ensemble(Map<String, EnsembleResult> results) {
        List<Charts.Point> wall = new ArrayList<>();
        List<Charts.Point> cpu = new ArrayList<>();
        results.forEach((name, r) -> {
            wall.add(new Charts.Point(name, r.computeMsPerRequest(), 100 * r.accuracy()));
            if (r.cpuMsPerRequest() > 0) {
                cpu.add(new Charts.Point(name, r.cpuMsPerRequest(), 100 * r.accuracy()));
            }
        });
        List<JFreeChart> charts = new ArrayList<>();
        charts.add(Charts.paretoScatter("Accuracy against compute per request (model wall time)",
                "model compute per request, ms (all member outputs)", "accuracy, % of requests sent", wall));
        if (!cpu.isEmpty()) {
            charts.add(Charts.paretoScatter("Accuracy against executor CPU per request",
                    "executor thread CPU per request, ms", "accuracy, % of requests sent", cpu));
        }
        return charts;
    }

    /**
     * bench overhead: per delivery mode, sustained throughput of the pipeline next to what it is
     * measured against (raw ONNX Runtime on the heaviest variant, the bare Kafka chain on the
     * lightest), and the latency the pipeline adds next to the bare chain's end to end.
     */
    public static List<JFreeChart> overhead(OverheadReport report) {
        Map<String, Map<String, Double>> rps = new LinkedHashMap<>();
        Map<String, Map<String, Double>> latency = new LinkedHashMap<>();
        report.modes().forEach((mode, m) -> {
            Map<String, Double> r = new LinkedHashMap<>();
            r.put("raw ONNX Runtime, heaviest variant", m.rawOrtRps());
            r.put("pipeline, heaviest variant", m.pipelineHeavyRps());
            r.put("bare Kafka chain", m.kafkaChainRps());
            r.put("pipeline, lightest variant", m.pipelineLightRps());
            rps.put(label(mode, m), r);
            Map<String, Double> l = new LinkedHashMap<>();
            l.put("added by the pipeline, p50", m.addedLatencyMs().p50());
            l.put("added by the pipeline, p99", m.addedLatencyMs().p99());
            l.put("bare Kafka chain end to end, p50", m.kafkaChainLatencyMs().p50());
            l.put("bare Kafka chain end to end, p99", m.kafkaChainLatencyMs().p99());
            latency.put(label(mode, m), l);
        });
        return List.of(
                Charts.bars("Sustained throughput by delivery mode", "delivery mode", "requests/s", rps),
                Charts.bars("Latency the pipeline adds (end to end minus model compute) against the bare Kafka chain",
                        "delivery mode (latency measured at the same Poisson rate)", "latency, ms", latency));
    }

    private static String label(String mode, ModeResult m) {
        return mode + " (" + m.device() + ")";
    }
}
