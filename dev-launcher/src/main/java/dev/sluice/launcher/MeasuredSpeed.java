package dev.sluice.launcher;

import dev.sluice.decision.trace.RateTrace;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.sim.SimOutcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;

/**
 * The validation's second comparison: each policy simulated with its heavy batches as fast as
 * the pipeline's ran in the trace's busy seconds, rather than as fast as the host model predicts
 * from the probes beside the run.
 *
 * <p>Why: on the shared 2-core machine the host model's batch speed misses the pipeline's by up
 * to about 18% either way from run to run (the transport's share of the cores moves, and the 2 s
 * probes on each side of a policy do not see it), and a policy bound by its model's throughput
 * (fixed-high under a burst at twice its capacity) moves with it: 18% too fast was +0.078 SLO.
 * Matching the speed separates that error, which no scheduler model can see, from the error of
 * the rest of the model (queues, batching, drops, fetches, load views, selection), which is what
 * a simulator at 1,000 replicas on devices of their own relies on. Only the speed is taken from
 * the run: the SLO, the accuracy and the batch sizes are still the simulator's.
 *
 * <p>Matched: the variants whose batches took at least {@link #HEAVY_MS} on average in the
 * pipeline's busy seconds, over at least {@link #MIN_REQUESTS} requests on each side; the factor
 * is the pipeline's request-weighted mean batch time over the simulator's, found in
 * {@link #ROUNDS} rounds (a slower batch changes the batch sizes and so the batch times).
 */
final class MeasuredSpeed {
    /** Batches at least this long on average are matched; shorter ones barely load the host. */
    static final double HEAVY_MS = 8;
    static final int MIN_REQUESTS = 30;
    static final int ROUNDS = 2;

    private MeasuredSpeed() {}

    /** A variant's batches as its requests met them: how many requests, and their batches' mean time (ms). */
    record Batches(long requests, double meanMs) {
        static Batches of(List<Double> ms) {
            return new Batches(ms.size(), ms.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        }

        Map<String, Object> toJson() {
            return Map.of("requests", requests, "mean_ms", Math.round(meanMs * 100) / 100.0);
        }
    }

    /** By variant, over the requests a single variant answered OK (the pipeline side's, in its busy seconds). */
    static Map<String, Batches> ofOutcomes(List<RequestOutcome> outcomes) {
        return batches(computeMsBySingleVariant(outcomes));
    }

    /** The batch time (compute ms) of each request a single variant answered OK, by variant in name order. */
    static Map<String, List<Double>> computeMsBySingleVariant(List<RequestOutcome> outcomes) {
        Map<String, List<Double>> by = new TreeMap<>();
        for (RequestOutcome o : outcomes) {
            if (o.answered() && o.result().getStatus() == dev.sluice.avro.ResultStatus.OK && o.result().getVariants().size() == 1
                    && o.result().getLatency() != null) {
                by.computeIfAbsent(o.result().getVariants().get(0), k -> new ArrayList<>()).add(o.result().getLatency()
                        .getComputeMs());
            }
        }
        return by;
    }

    /** By variant, over the simulated requests a single variant answered OK that were sent while the trace was busy. */
    static Map<String, Batches> ofSimulated(List<SimOutcome> outcomes, RateTrace trace, double busyAboveRps) {
        Map<String, List<Double>> by = new TreeMap<>();
        for (SimOutcome o : outcomes) {
            if ("OK".equals(o.status()) && o.variants().size() == 1 && trace.rateAt(o.sentMs() / 1000.0) > busyAboveRps) {
                by.computeIfAbsent(o.variants().get(0), k -> new ArrayList<>()).add(o.latency().computeMs());
            }
        }
        return batches(by);
    }

    /**
     * By variant, from a pipeline side's requests file ({@code bench.OutcomesCsv}: times from the
     * policy's first request), {@code policy}'s requests sent while the trace was busy; empty when
     * the file has none of them.
     */
    static Map<String, Batches> ofRequestsCsv(Path csv, String policy, RateTrace trace, double busyAboveRps) {
        Map<String, List<Double>> by = new TreeMap<>();
        RequestsCsv.forEachRow(csv, f -> {
            if (f.length <= RequestsCsv.COMPUTE_MS || !f[RequestsCsv.POLICY].equals(policy) || !"OK".equals(f[RequestsCsv.STATUS])
                    || f[RequestsCsv.VARIANTS].contains("+") || f[RequestsCsv.COMPUTE_MS].isEmpty()) {
                return; // another policy's, not answered OK, answered by several variants (joined by '+'), or untimed
            }
            try {
                if (trace.rateAt(Double.parseDouble(f[RequestsCsv.SENT_MS]) / 1000.0) > busyAboveRps) {
                    by.computeIfAbsent(f[RequestsCsv.VARIANTS], k -> new ArrayList<>())
                            .add(Double.parseDouble(f[RequestsCsv.COMPUTE_MS]));
                }
            } catch (NumberFormatException e) {
                // a row this reader cannot place (not one OutcomesCsv wrote): left out
            }
        });
        return batches(by);
    }

    /**
     * How many times slower the simulated batches must run to take the pipeline's time: the
     * pipeline's mean batch time over the simulator's, weighted by the pipeline's requests, over
     * the variants both ran heavy batches of; NaN when there are none (a policy on light variants).
     */
    static double factor(Map<String, Batches> pipeline, Map<String, Batches> simulated) {
        double pipeMs = 0;
        double simMs = 0;
        for (var e : pipeline.entrySet()) {
            Batches p = e.getValue();
            Batches s = simulated.get(e.getKey());
            if (p.meanMs() >= HEAVY_MS && p.requests() >= MIN_REQUESTS && s != null && s.requests() >= MIN_REQUESTS
                    && s.meanMs() > 0) {
                pipeMs += p.requests() * p.meanMs();
                simMs += p.requests() * s.meanMs();
            }
        }
        return simMs > 0 ? pipeMs / simMs : Double.NaN;
    }

    /**
     * The factor at which {@code simulateAt} (the simulated batches by variant with every batch
     * that many times slower) matches {@code pipeline}, after {@link #ROUNDS} rounds; NaN when
     * nothing can be matched.
     */
    static double match(Map<String, Batches> pipeline, DoubleFunction<Map<String, Batches>> simulateAt) {
        double f = 1;
        for (int i = 0; i < ROUNDS; i++) {
            double r = factor(pipeline, simulateAt.apply(f));
            if (Double.isNaN(r)) {
                return Double.NaN;
            }
            f *= r;
        }
        return f;
    }

    private static Map<String, Batches> batches(Map<String, List<Double>> by) {
        Map<String, Batches> out = new LinkedHashMap<>();
        by.forEach((v, ms) -> out.put(v, Batches.of(ms)));
        return out;
    }
}
