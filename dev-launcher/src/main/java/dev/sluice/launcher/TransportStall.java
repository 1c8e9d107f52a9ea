package dev.sluice.launcher;

import dev.sluice.avro.StageLatency;
import dev.sluice.ingest.load.RequestOutcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the Kafka transport stalled while a policy ran in the pipeline: the validation
 * holds the simulator to the pipeline "while the Kafka transport itself is not saturated", and a
 * stalled transport is what the simulator's hops, drawn from the requests the policy answered OK,
 * do not hold. Measured on the request hop (client to broker to selector: the {@code ingest} and
 * {@code select} stages), which no policy's models slow: per second of the run, the median over
 * the requests sent in it; the transport stalled when the worst second's median exceeds
 * {@link #STALL_MS}. On the 2-core machine the worst second's median was at most 21 ms in 159 of
 * 160 policy runs (v44 to v63, docs/benchmarks/sim.md) and 144 ms in the one where every
 * executor's outputs reached the aggregator hundreds of ms late for about 4 s.
 */
final class TransportStall {
    /** A request hop median (ms) over one second above which the transport stalled. */
    static final double STALL_MS = 50;

    /** Seconds with fewer requests sent are not judged (a median of a few is noise). */
    static final int MIN_REQUESTS = 10;

    /** The worst second: its median request hop (ms) and when it began (s from the policy's first request). */
    record Worst(double medianMs, long second) {
        boolean stalled() {
            return medianMs > STALL_MS;
        }
    }

    private TransportStall() {}

    /** From the pipeline's outcomes; null when no second had {@link #MIN_REQUESTS} timed requests. */
    static Worst of(List<RequestOutcome> outcomes) {
        long t0 = outcomes.stream().mapToLong(RequestOutcome::sentAtMs).min().orElse(0);
        Map<Long, List<Double>> bySecond = new TreeMap<>();
        for (RequestOutcome o : outcomes) {
            StageLatency l = o.result() == null ? null : o.result().getLatency();
            if (l != null) {
                bySecond.computeIfAbsent((o.sentAtMs() - t0) / 1000, k -> new ArrayList<>()).add(l.getIngestMs() + l.getSelectMs());
            }
        }
        return worst(bySecond);
    }

    /** From a requests file ({@code bench.OutcomesCsv}), by policy, in one pass; a policy with no judged second left out. */
    static Map<String, Worst> ofRequestsCsv(Path csv) {
        Map<String, Map<Long, List<Double>>> byPolicy = new TreeMap<>();
        RequestsCsv.forEachRow(csv, f -> {
            if (f.length <= RequestsCsv.SELECT_MS || f[RequestsCsv.INGEST_MS].isEmpty() || f[RequestsCsv.SELECT_MS].isEmpty()) {
                return;
            }
            try {
                byPolicy.computeIfAbsent(f[RequestsCsv.POLICY], k -> new TreeMap<>())
                        .computeIfAbsent(Long.parseLong(f[RequestsCsv.SENT_MS]) / 1000, k -> new ArrayList<>())
                        .add(Double.parseDouble(f[RequestsCsv.INGEST_MS]) + Double.parseDouble(f[RequestsCsv.SELECT_MS]));
            } catch (NumberFormatException e) {
                // a row this reader cannot place (not one OutcomesCsv wrote): left out
            }
        });
        Map<String, Worst> out = new TreeMap<>();
        byPolicy.forEach((policy, seconds) -> {
            Worst w = worst(seconds);
            if (w != null) {
                out.put(policy, w);
            }
        });
        return out;
    }

    static Worst worst(Map<Long, List<Double>> bySecond) {
        Worst worst = null;
        for (var e : bySecond.entrySet()) {
            List<Double> ms = e.getValue();
            if (ms.size() < MIN_REQUESTS) {
                continue;
            }
            double median = median(ms);
            if (worst == null || median > worst.medianMs()) {
                worst = new Worst(median, e.getKey());
            }
        }
        return worst;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
