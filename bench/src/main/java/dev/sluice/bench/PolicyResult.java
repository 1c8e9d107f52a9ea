package dev.sluice.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.avro.ResultStatus;
import dev.sluice.ingest.load.RequestOutcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One policy's outcome on a trace. A violation is a request not answered by its deadline:
 * {@code dropped} when it never got an answer (rejected, dropped at the deadline, missing),
 * {@code late} when the answer came after the deadline. {@code violationStagesMs} says where the
 * violating requests that got a result spent their time: the median of each
 * {@link dev.sluice.avro.StageLatency} stage over them (empty when there were none), so a
 * backlog in front of the selector ({@code ingest}) tells apart from one in the executors
 * ({@code queue}). Late answers and rejections count alike; a rejected request never reached an
 * executor, so where rejections are most of the violations the queue and compute medians are 0.
 */
public record PolicyResult(
        long sent,
        double sloAttainment,
        long dropped,
        long late,
        long violations,
        double effectiveAccuracy,
        double accuracy,
        double throughputRps,
        double offeredRps,
        @JsonProperty("latency_ms") Map<String, Double> latencyMs,
        Map<String, Long> variantMix,
        double decisionUsP99,
        @JsonProperty("violation_stages_p50_ms") Map<String, Double> violationStagesMs) {

    /** The stages of {@link dev.sluice.avro.StageLatency}, in pipeline order. */
    public static final List<String> STAGES = List.of("ingest", "select", "queue", "compute", "aggregate");

    public static PolicyResult of(List<RequestOutcome> outcomes, double durationS, double decisionUsP99) {
        long sent = outcomes.size(), onTime = 0, dropped = 0, late = 0, labelled = 0, correct = 0, correctOnTime = 0;
        Map<String, Long> mix = new TreeMap<>();
        double[] lat = new double[outcomes.size()];
        int n = 0;
        List<double[]> violating = new ArrayList<>();
        for (RequestOutcome o : outcomes) {
            boolean answered = o.answered() && (o.result().getStatus() == ResultStatus.OK
                    || o.result().getStatus() == ResultStatus.PARTIAL);
            if (!answered) {
                dropped++;
            } else if (!o.onTime()) {
                late++;
            } else {
                onTime++;
            }
            if (o.answered()) {
                dev.sluice.ingest.load.RunSummary.ranFor(o.result()).forEach(v -> mix.merge(v, 1L, Long::sum));
                if (!answered || !o.onTime()) {
                    var s = o.result().getLatency();
                    violating.add(new double[] {s.getIngestMs(), s.getSelectMs(), s.getQueueMs(), s.getComputeMs(),
                            s.getAggregateMs()});
                }
            }
            if (o.hasLabel()) {
                labelled++;
                lat[n++] = o.latencyMs();
                if (o.correct()) {
                    correct++;
                    if (o.onTime()) {
                        correctOnTime++;
                    }
                }
            }
        }
        double[] sorted = Arrays.copyOf(lat, n);
        Arrays.sort(sorted);
        Map<String, Double> latency = new LinkedHashMap<>();
        latency.put("p50", round(pct(sorted, 0.5)));
        latency.put("p99", round(pct(sorted, 0.99)));
        Map<String, Double> stages = new LinkedHashMap<>();
        for (int k = 0; k < STAGES.size() && !violating.isEmpty(); k++) {
            int stage = k;
            double[] v = violating.stream().mapToDouble(x -> x[stage]).sorted().toArray();
            stages.put(STAGES.get(k), round(pct(v, 0.5)));
        }
        return new PolicyResult(sent, ratio(onTime, sent), dropped, late, dropped + late, ratio(correctOnTime, sent),
                ratio(correct, labelled), round(onTime / durationS), round(sent / durationS), latency, mix,
                round(decisionUsP99), stages);
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
}
