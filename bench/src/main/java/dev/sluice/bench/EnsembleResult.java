package dev.sluice.bench;

import dev.sluice.avro.ResultStatus;
import dev.sluice.common.Percentiles;
import dev.sluice.ingest.load.RequestOutcome;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One configuration of {@code bench ensemble}: accuracy = correct answers / requests sent (an
 * unanswered or label-less request counts as wrong), compute per request from every member
 * output (see {@link ComputeTally}: model wall time, and the executor thread's CPU time in the
 * model runs, {@code cpuMsPerRequest}), client latency percentiles, and what ran: member outputs,
 * escalations, answers sent before every member reported ({@code earlyAnswerRate}) and member
 * tasks the executors skipped because their request was already answered ({@code cancelledPerRequest};
 * their compute is not in the figure, since it was never spent).
 */
public record EnsembleResult(String policy, int requests, int answered, double accuracy, double computeMsPerRequest,
        Map<String, Double> latencyMs, double membersPerRequest, double escalationRate, double earlyAnswerRate,
        double cancelledPerRequest, Map<String, Long> statusCounts, double cpuMsPerRequest) {

    public static EnsembleResult of(String policy, List<RequestOutcome> outcomes, ComputeTally.Totals compute) {
        return of(policy, outcomes, compute, 0, 0);
    }

    /** @param earlyAnswers answers sent before every member reported; @param cancelled member tasks skipped */
    public static EnsembleResult of(String policy, List<RequestOutcome> outcomes, ComputeTally.Totals compute,
            double earlyAnswers, double cancelled) {
        int n = outcomes.size();
        if (n == 0) {
            throw new IllegalArgumentException("no requests");
        }
        int answered = 0;
        int correct = 0;
        Map<String, Long> statuses = new TreeMap<>();
        double[] latencies = outcomes.stream().filter(RequestOutcome::answered).mapToDouble(RequestOutcome::latencyMs)
                .sorted().toArray();
        for (RequestOutcome o : outcomes) {
            if (o.answered()) {
                answered++;
                statuses.merge(o.result().getStatus().name(), 1L, Long::sum);
            } else {
                statuses.merge("UNANSWERED", 1L, Long::sum);
            }
            correct += o.correct() ? 1 : 0;
        }
        return new EnsembleResult(policy, n, answered, correct / (double) n, compute.computeMs() / n, Percentiles.p50p99(latencies),
                compute.outputs() / (double) n, compute.escalations() / (double) n, earlyAnswers / n, cancelled / n, statuses,
                compute.cpuMs() / n);
    }

    public long count(ResultStatus s) {
        return statusCounts.getOrDefault(s.name(), 0L);
    }
}
