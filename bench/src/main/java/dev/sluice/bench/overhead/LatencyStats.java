package dev.sluice.bench.overhead;

import dev.sluice.common.Percentiles;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Latency percentiles of one open-loop run: end to end as the client saw it, and end to end
 * minus the model compute the answer reports (what the pipeline adds around the model).
 */
public record LatencyStats(double offeredRps, long answered, long failed, long unanswered, Quantiles endToEndMs,
        Quantiles addedMs, Map<String, Double> stagesP50Ms) {

    /** One measured request. */
    public record Sample(boolean ok, double endToEndMs, double computeMs, Target.Stages stages) {
        static Sample failed() {
            return new Sample(false, Double.NaN, Double.NaN, null);
        }
    }

    /** p50 and p99, ms. */
    public record Quantiles(double p50, double p99) {
        static Quantiles of(double[] values) {
            double[] s = values.clone();
            Arrays.sort(s);
            return new Quantiles(round(Percentiles.of(s, 0.50)), round(Percentiles.of(s, 0.99)));
        }
    }

    public static LatencyStats of(List<Sample> samples, long unanswered, double offeredRps, double seconds) {
        List<Sample> ok = samples.stream().filter(Sample::ok).toList();
        double[] e2e = ok.stream().mapToDouble(Sample::endToEndMs).toArray();
        double[] added = ok.stream().mapToDouble(s -> s.endToEndMs() - s.computeMs()).toArray();
        Map<String, Double> stages = new LinkedHashMap<>();
        List<Target.Stages> st = ok.stream().map(Sample::stages).filter(java.util.Objects::nonNull).toList();
        if (!st.isEmpty()) {
            stages.put("ingest", p50(st, Target.Stages::ingestMs));
            stages.put("select", p50(st, Target.Stages::selectMs));
            stages.put("queue", p50(st, Target.Stages::queueMs));
            stages.put("compute", p50(st, Target.Stages::computeMs));
            stages.put("aggregate", p50(st, Target.Stages::aggregateMs));
        }
        return new LatencyStats(round(offeredRps), ok.size(), samples.size() - ok.size(), unanswered, Quantiles.of(e2e),
                Quantiles.of(added), stages);
    }

    private static double p50(List<Target.Stages> st, ToDoubleFunction<Target.Stages> f) {
        double[] v = st.stream().mapToDouble(f).sorted().toArray();
        return round(Percentiles.of(v, 0.5));
    }

    static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 100) / 100.0;
    }
}
