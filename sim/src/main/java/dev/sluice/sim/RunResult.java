package dev.sluice.sim;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One policy on one seed: the fields of {@code bench policies}' per-policy result (same names,
 * same definitions: a violation is a request not answered OK or PARTIAL by its deadline, effective
 * accuracy counts a request correct only when its answer came on time), plus what only a
 * simulator can count cheaply: compute per request (each member output's batch time over its
 * batch size, summed over every output, used or not, divided by the requests sent), cascade
 * escalations, re-planned tasks, member tasks skipped after early answers, and the run's events
 * and wall time, and the CPU time of the thread that ran it (on a shared machine the wall time
 * says more about the neighbours than about the simulator), and the median time a member task's
 * batch took, by variant (what the pipeline's results report as their compute stage), and the
 * mean size of the batch a member task ran in, by variant; for requests sent in parts, what
 * {@link PartsResult} counts (null otherwise).
 */
public record RunResult(
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
        @JsonProperty("violation_stages_p50_ms") Map<String, Double> violationStagesMs,
        double computeMsPerRequest,
        long escalations,
        long moves,
        long skipped,
        long events,
        double wallS,
        double cpuS,
        @JsonProperty("batch_compute_ms_p50") Map<String, Double> batchComputeMsP50,
        @JsonProperty("batch_size_mean") Map<String, Double> batchSizeMean,
        @com.fasterxml.jackson.annotation.JsonIgnore SimSeries series,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        PartsResult parts) {

    /** A run of whole requests (no {@link PartsResult}). */
    public RunResult(long sent, double sloAttainment, long dropped, long late, long violations, double effectiveAccuracy,
            double accuracy, double throughputRps, double offeredRps, Map<String, Double> latencyMs,
            Map<String, Long> variantMix, double decisionUsP99, Map<String, Double> violationStagesMs,
            double computeMsPerRequest, long escalations, long moves, long skipped, long events, double wallS, double cpuS,
            Map<String, Double> batchComputeMsP50, Map<String, Double> batchSizeMean, SimSeries series) {
        this(sent, sloAttainment, dropped, late, violations, effectiveAccuracy, accuracy, throughputRps, offeredRps, latencyMs,
                variantMix, decisionUsP99, violationStagesMs, computeMsPerRequest, escalations, moves, skipped, events, wallS,
                cpuS, batchComputeMsP50, batchSizeMean, series, null);
    }

    /** This run with what it counted about requests in parts. */
    public RunResult withParts(PartsResult p) {
        return new RunResult(sent, sloAttainment, dropped, late, violations, effectiveAccuracy, accuracy, throughputRps,
                offeredRps, latencyMs, variantMix, decisionUsP99, violationStagesMs, computeMsPerRequest, escalations, moves,
                skipped, events, wallS, cpuS, batchComputeMsP50, batchSizeMean, series, p);
    }
}
