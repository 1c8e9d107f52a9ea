package dev.sluice.bench.cache;

import dev.sluice.bench.ComputeTally;
import dev.sluice.common.Percentiles;
import dev.sluice.ingest.load.RequestOutcome;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One run of {@code bench cache} (the prediction cache on, or off): what the client saw and what
 * the executors computed. {@code cached}: answers flagged as from the prediction cache;
 * {@code computeMs}: model time of every member output of the run (batch time over batch size,
 * {@link ComputeTally}); latency of every answer, and of the cached and computed ones apart.
 */
public record CacheResult(int requests, int answered, int cached, double accuracy, double sloAttainment, double computeMs,
        double computeMsPerRequest, long memberOutputs, Map<String, Double> latencyMs, Map<String, Double> latencyMsHit,
        Map<String, Double> latencyMsMiss) {

    public static CacheResult of(List<RequestOutcome> outcomes, ComputeTally.Totals compute) {
        int n = outcomes.size();
        if (n == 0) {
            throw new IllegalArgumentException("no requests");
        }
        int answered = 0;
        int cached = 0;
        int correct = 0;
        int onTime = 0;
        for (RequestOutcome o : outcomes) {
            answered += o.answered() ? 1 : 0;
            cached += cached(o) ? 1 : 0;
            correct += o.correct() ? 1 : 0;
            onTime += o.onTime() ? 1 : 0;
        }
        return new CacheResult(n, answered, cached, correct / (double) n, onTime / (double) n, compute.computeMs(),
                compute.computeMs() / n, compute.outputs(), latency(outcomes, 0), latency(outcomes, 1), latency(outcomes, -1));
    }

    static boolean cached(RequestOutcome o) {
        return o.answered() && o.result().getCached();
    }

    /** p50/p99 of the answered requests: all (0), the cached ones (1) or the computed ones (-1); NaN when none. */
    private static Map<String, Double> latency(List<RequestOutcome> outcomes, int which) {
        double[] ms = outcomes.stream().filter(RequestOutcome::answered)
                .filter(o -> which == 0 || (which > 0) == cached(o)).mapToDouble(RequestOutcome::latencyMs).sorted().toArray();
        return ms.length == 0 ? Map.of("p50", Double.NaN, "p99", Double.NaN) : Percentiles.p50p99(ms);
    }

    /** The share of requests answered from the cache. */
    public double hitRate() {
        return cached / (double) requests;
    }

    /**
     * The share of {@code samples} (the sample each request carried, in order) that repeat one sent
     * earlier in the same sequence: what a cache that never forgets, with no floors, could answer.
     */
    public static double repeatShare(int[] samples) {
        Set<Integer> seen = new HashSet<>();
        int repeats = 0;
        for (int s : samples) {
            repeats += seen.add(s) ? 0 : 1;
        }
        return samples.length == 0 ? 0 : repeats / (double) samples.length;
    }
}
