package dev.sluice.bench.overhead;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The overhead benchmark's output: one {@link ModeResult} per delivery mode, the default mode's
 * fields repeated at the top level, and how it was measured.
 */
public record OverheadReport(Map<String, Object> setup, String defaultMode, Map<String, ModeResult> modes) {
    private static final ObjectMapper JSON = dev.sluice.bench.SummaryJson.MAPPER;

    /** The summary as a JSON tree: setup, the default mode's block flattened, then every mode. */
    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>(setup);
        ModeResult main = modes.get(defaultMode);
        if (main == null && !modes.isEmpty()) {
            main = modes.values().iterator().next();
        }
        if (main != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> flat = JSON.convertValue(main, Map.class);
            out.putAll(flat);
        }
        out.put("modes", modes);
        return out;
    }

    public void write(Path file) {
        try {
            JSON.writeValue(file.toFile(), json());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** One row per measurement, one column per delivery mode. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-34s", "measurement"));
        modes.keySet().forEach(m -> b.append(String.format(" %22s", m)));
        b.append('\n');
        row(b, "raw ORT heavy (rps)", r -> num(r.rawOrtRps()));
        row(b, "pipeline heavy (rps)", r -> num(r.pipelineHeavyRps()));
        row(b, "  heavy_ratio (target >= 0.95)", r -> ratio(r.heavyRatio()));
        row(b, "bare Kafka chain (rps)", r -> num(r.kafkaChainRps()));
        row(b, "pipeline light (rps)", r -> num(r.pipelineLightRps()));
        row(b, "  light_ratio (target >= 0.8)", r -> ratio(r.lightRatio()));
        row(b, "latency test rate (rps, Poisson)", r -> num(r.latencyRateRps()));
        row(b, "pipeline end to end p50/p99 (ms)", r -> pair(r.pipelineLatencyMs()));
        row(b, "  added (e2e - compute) p50/p99", r -> pair(r.addedLatencyMs()));
        row(b, "bare chain end to end p50/p99", r -> pair(r.kafkaChainLatencyMs()));
        row(b, "  added / chain p50 (<= 1.5)", r -> ratio(ModeResult.ratio(r.addedLatencyMs().p50(),
                r.kafkaChainLatencyMs().p50())));
        row(b, "  added / chain p99 (<= 2.0)", r -> ratio(ModeResult.ratio(r.addedLatencyMs().p99(),
                r.kafkaChainLatencyMs().p99())));
        row(b, "stage p50 ingest/select (ms)", r -> stage(r, "ingest") + "/" + stage(r, "select"));
        row(b, "stage p50 queue/compute/aggr (ms)", r -> stage(r, "queue") + "/" + stage(r, "compute") + "/"
                + stage(r, "aggregate"));
        return b.toString();
    }

    private void row(StringBuilder b, String name, Function<ModeResult, String> cell) {
        b.append(String.format("%-34s", name));
        modes.values().forEach(r -> b.append(String.format(" %22s", cell.apply(r))));
        b.append('\n');
    }

    private static String num(double x) {
        return String.format("%.1f", x);
    }

    private static String ratio(double x) {
        return String.format("%.3f", x);
    }

    private static String pair(LatencyStats.Quantiles q) {
        return String.format("%.1f / %.1f", q.p50(), q.p99());
    }

    private static String stage(ModeResult r, String name) {
        Double v = r.stagesP50Ms() == null ? null : r.stagesP50Ms().get(name);
        return v == null ? "-" : String.format("%.1f", v);
    }
}
