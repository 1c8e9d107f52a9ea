package dev.sluice.ingest.load;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.avro.ResultStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The summary of one run, a public interface later benchmarks reuse. accuracy = correct /
 * answered with a label; effective_accuracy = correct and on time / sent; slo_attainment = on
 * time (OK or PARTIAL before the deadline, as the client saw it) / sent. Latency is client send
 * to client receipt of the final result, over results that carry an answer (OK or PARTIAL).
 */
@JsonPropertyOrder({"policy", "delivery_mode", "requests_sent", "results_received", "duplicates", "missing",
        "status_counts", "accuracy", "effective_accuracy", "slo_attainment", "latency_ms", "throughput_rps",
        "offered_rps", "duration_s", "deadline_ms", "variant_mix", "stage_latency_ms_p50", "top_reasons", "expected_accuracy"})
public record RunSummary(
        String policy,
        String deliveryMode,
        long requestsSent,
        long resultsReceived,
        long duplicates,
        long missing,
        Map<String, Long> statusCounts,
        double accuracy,
        double effectiveAccuracy,
        double sloAttainment,
        @JsonProperty("latency_ms") Map<String, Double> latencyMs,
        double throughputRps,
        double offeredRps,
        double durationS,
        long deadlineMs,
        Map<String, Long> variantMix,
        @JsonProperty("stage_latency_ms_p50") Map<String, Double> stageLatencyMsP50,
        Map<String, Long> topReasons,
        Double expectedAccuracy) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).enable(SerializationFeature.INDENT_OUTPUT);

    public static RunSummary of(List<RequestOutcome> outcomes, long duplicates, String policy, String deliveryMode,
            long deadlineMs) {
        return of(outcomes, duplicates, policy, deliveryMode, deadlineMs, null);
    }

    /**
     * With {@code variantAccuracy} (the catalog's measured accuracy per variant), also reports
     * expected_accuracy: the mean measured accuracy of the variant that answered each labelled
     * request, which the observed accuracy should match within sampling noise.
     */
    public static RunSummary of(List<RequestOutcome> outcomes, long duplicates, String policy, String deliveryMode,
            long deadlineMs, Map<String, Double> variantAccuracy) {
        double expectedSum = 0;
        long expectedN = 0;
        long sent = outcomes.size();
        Map<String, Long> status = new LinkedHashMap<>();
        for (ResultStatus s : ResultStatus.values()) {
            status.put(s.name(), 0L);
        }
        Map<String, Long> mix = new TreeMap<>();
        Map<String, Long> reasons = new java.util.HashMap<>();
        long received = 0, labelled = 0, correct = 0, onTime = 0, correctOnTime = 0;
        long firstSent = Long.MAX_VALUE, lastSent = 0, lastReceived = 0;
        double[] lat = new double[outcomes.size()];
        int nl = 0;
        double[][] stages = new double[4][outcomes.size()];
        int ns = 0;
        for (RequestOutcome o : outcomes) {
            firstSent = Math.min(firstSent, o.sentAtMs());
            lastSent = Math.max(lastSent, o.sentAtMs());
            if (!o.answered()) {
                continue;
            }
            received++;
            lastReceived = Math.max(lastReceived, o.receivedAtMs());
            status.merge(o.result().getStatus().name(), 1L, Long::sum);
            if (o.result().getReason() != null) {
                // group reasons that differ only in numbers
                reasons.merge(o.result().getStatus() + ": " + o.result().getReason().replaceAll("[0-9]+(\\.[0-9]+)?", "N"), 1L, Long::sum);
            }
            for (String v : ranFor(o.result())) {
                mix.merge(v, 1L, Long::sum);
            }
            if (o.hasLabel()) {
                labelled++;
                if (variantAccuracy != null && o.result().getVariants().size() == 1
                        && variantAccuracy.containsKey(o.result().getVariants().get(0))) {
                    expectedSum += variantAccuracy.get(o.result().getVariants().get(0));
                    expectedN++;
                }
                lat[nl++] = o.latencyMs();
                var l = o.result().getLatency();
                stages[0][ns] = l.getSelectMs() + l.getIngestMs();
                stages[1][ns] = l.getQueueMs();
                stages[2][ns] = l.getComputeMs();
                stages[3][ns++] = l.getAggregateMs();
            }
            if (o.correct()) {
                correct++;
            }
            if (o.onTime()) {
                onTime++;
                if (o.correct()) {
                    correctOnTime++;
                }
            }
        }
        double[] sorted = Arrays.copyOf(lat, nl);
        Arrays.sort(sorted);
        Map<String, Double> latency = new LinkedHashMap<>();
        latency.put("p50", round(pct(sorted, 0.50)));
        latency.put("p95", round(pct(sorted, 0.95)));
        latency.put("p99", round(pct(sorted, 0.99)));
        Map<String, Double> stageP50 = new LinkedHashMap<>();
        String[] names = {"ingest_and_select", "queue", "compute", "aggregate"};
        for (int i = 0; i < names.length; i++) {
            double[] s = Arrays.copyOf(stages[i], ns);
            Arrays.sort(s);
            stageP50.put(names[i], round(pct(s, 0.5)));
        }
        double durationS = received == 0 ? 0 : Math.max(1, lastReceived - firstSent) / 1000.0;
        double sendSpanS = Math.max(1, lastSent - firstSent) / 1000.0;
        return new RunSummary(policy, deliveryMode, sent, received, duplicates, sent - received, status,
                ratio(correct, labelled), ratio(correctOnTime, sent), ratio(onTime, sent), latency,
                round(durationS == 0 ? 0 : received / durationS), round(sent / sendSpanS), round(durationS), deadlineMs, mix,
                stageP50, top(reasons, 5), expectedN == 0 ? null : Math.round(expectedSum / expectedN * 1e4) / 1e4);
    }

    private static Map<String, Long> top(Map<String, Long> counts, int n) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static double pct(double[] sorted, double q) {
        return dev.sluice.common.Percentiles.of(sorted, q);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : Math.round(a * 1e6 / b) / 1e6;
    }

    private static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 100) / 100.0;
    }

    /**
     * The members that answered a request (its votes), else those planned: a cascade plans every
     * stage but runs the later ones only when unsure, and an early decision skips members.
     */
    public static List<String> ranFor(dev.sluice.avro.InferenceResult r) {
        return r.getVotes().isEmpty() ? r.getVariants() : r.getVotes().stream().map(dev.sluice.avro.Vote::getVariant).toList();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(Path file) {
        try {
            Files.writeString(file, toJson() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A human-readable table of the summary. */
    public String table() {
        StringBuilder b = new StringBuilder();
        row(b, "policy", policy);
        row(b, "delivery mode", deliveryMode);
        row(b, "requests sent", Long.toString(requestsSent));
        row(b, "results received", Long.toString(resultsReceived));
        row(b, "duplicates", Long.toString(duplicates));
        row(b, "missing", Long.toString(missing));
        statusCounts.forEach((k, v) -> row(b, "  " + k, Long.toString(v)));
        row(b, "accuracy", String.format("%.4f", accuracy)
                + (expectedAccuracy == null ? "" : String.format("  (the variants chosen measure %.4f)", expectedAccuracy)));
        row(b, "effective accuracy", String.format("%.4f", effectiveAccuracy));
        row(b, "SLO attainment", String.format("%.4f  (deadline %d ms)", sloAttainment, deadlineMs));
        row(b, "latency p50/p95/p99", String.format("%.1f / %.1f / %.1f ms", latencyMs.get("p50"), latencyMs.get("p95"),
                latencyMs.get("p99")));
        row(b, "stage p50 (select/queue/compute/aggregate)", String.format("%.1f / %.1f / %.1f / %.1f ms",
                stageLatencyMsP50.get("ingest_and_select"), stageLatencyMsP50.get("queue"), stageLatencyMsP50.get("compute"),
                stageLatencyMsP50.get("aggregate")));
        row(b, "throughput", String.format("%.1f rps (offered %.1f rps)", throughputRps, offeredRps));
        row(b, "variant mix", variantMix.toString());
        topReasons.forEach((r, c) -> row(b, "  " + c + " x", r));
        return b.toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append(String.format("  %-44s %s%n", k, v));
    }
}
