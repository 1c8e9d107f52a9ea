package dev.sluice.bench.multimodal;

import dev.sluice.bench.ComputeTally;
import dev.sluice.common.Percentiles;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One strategy's figures, over every sample sent (an unanswered sample counts as wrong and is
 * left out of the latency percentiles): accuracy of the first answer and of the final one, time
 * from the first part's sending to each (client clocks), how often a provisional answer was
 * corrected (over samples that got one), SLO attainment, effective accuracy (correct and on
 * time), model compute per sample (every member output, see {@link ComputeTally}), the final
 * answers' variants (after any re-planning) and the share of samples whose queued task an
 * executor re-planned to a cheaper fallback.
 */
public record StrategyResult(String policy, int samples, int answered, double accuracyFirst, double accuracyFinal,
        Map<String, Double> firstMs, Map<String, Double> finalMs, double provisionalRate, double correctedRate,
        double sloAttainment, double effectiveAccuracy, double computeMsPerRequest, Map<String, Long> finalVariants,
        Map<String, Long> statusCounts, double replannedRate) {

    public static StrategyResult of(String policy, List<Sent> sent, ComputeTally.Totals compute) {
        int n = sent.size();
        if (n == 0) {
            throw new IllegalArgumentException("no samples");
        }
        int answered = 0;
        int firstCorrect = 0;
        int finalCorrect = 0;
        int provisional = 0;
        int corrected = 0;
        int onTime = 0;
        int effective = 0;
        Map<String, Long> variants = new TreeMap<>();
        Map<String, Long> statuses = new TreeMap<>();
        for (Sent s : sent) {
            firstCorrect += s.firstCorrect() ? 1 : 0;
            finalCorrect += s.finalCorrect() ? 1 : 0;
            if (s.hadProvisional()) {
                provisional++;
                corrected += s.corrected() ? 1 : 0;
            }
            if (s.onTime()) {
                onTime++;
                effective += s.finalCorrect() ? 1 : 0;
            }
            if (s.answered()) {
                answered++;
                statuses.merge(s.last().getStatus().name(), 1L, Long::sum);
                variants.merge(String.join("+", s.last().getVariants()), 1L, Long::sum);
            } else {
                statuses.merge("UNANSWERED", 1L, Long::sum);
            }
        }
        double[] first = sent.stream().filter(s -> s.first() != null).mapToDouble(s -> s.firstAtMs() - s.sentAtMs()).sorted()
                .toArray();
        double[] last = sent.stream().filter(Sent::answered).mapToDouble(s -> s.lastAtMs() - s.sentAtMs()).sorted().toArray();
        return new StrategyResult(policy, n, answered, firstCorrect / (double) n, finalCorrect / (double) n,
                Percentiles.p50p99(first), Percentiles.p50p99(last), provisional / (double) n,
                provisional == 0 ? 0 : corrected / (double) provisional, onTime / (double) n, effective / (double) n,
                compute.computeMs() / n, variants, statuses, compute.moves() / (double) n);
    }
}
