package dev.sluice.sim;

import dev.sluice.decision.aggregate.RequestResult;
import dev.sluice.decision.aggregate.RequestStatus;
import dev.sluice.decision.aggregate.StageTimes;
import dev.sluice.decision.vote.Ballot;
import dev.sluice.sim.stats.LatencyHistogram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What one run counted, in memory that does not grow with the number of requests. */
final class RunStats {
    private static final List<String> STAGES = List.of("ingest", "select", "queue", "compute", "aggregate");

    long sent;
    long onTime;
    long dropped;
    long late;
    long labelled;
    long correct;
    long correctOnTime;
    double computeMs;
    private final Map<String, LatencyHistogram> batchMs = new TreeMap<>();
    /** by variant: {sum of the batch sizes member tasks ran in, tasks} */
    private final Map<String, long[]> batchSizes = new TreeMap<>();
    long escalations;
    long moves;
    long skipped;
    private final Map<String, long[]> mix = new java.util.HashMap<>();
    private final LatencyHistogram latency = new LatencyHistogram();
    private final LatencyHistogram decisionUs = new LatencyHistogram();
    private final LatencyHistogram[] stages = new LatencyHistogram[STAGES.size()];
    private boolean anyViolationStage;
    private final double[] offered;
    private final double[] served;
    private final double[] violations;
    private final double[] seriesCorrect;
    private final double[] seriesLabelled;

    RunStats(int seconds) {
        offered = new double[seconds];
        served = new double[seconds];
        violations = new double[seconds];
        seriesCorrect = new double[seconds];
        seriesLabelled = new double[seconds];
        for (int i = 0; i < stages.length; i++) {
            stages[i] = new LatencyHistogram();
        }
    }

    void decision(long nanos) {
        decisionUs.add(nanos / 1000.0); // µs in the histogram's "ms" unit: 10 ns buckets up to 1 ms
    }

    /** A request the selector rejected, or read after its deadline: no answer, so a violation (dropped). */
    void rejected(int second, double ingestMs, double aggregateMs) {
        sent++;
        dropped++;
        bucket(second, false, false, false);
        addStages(new double[] {ingestMs, 0, 0, 0, aggregateMs});
    }

    /** Whether an answer of this status serves its request (counts toward the SLO when in time). */
    static boolean served(RequestStatus s) {
        return s == RequestStatus.OK || s == RequestStatus.PARTIAL;
    }

    /** A request the aggregator answered, received by the client {@code latencyMs} after it was sent. */
    void answered(int second, RequestResult r, boolean onTimeByClock, double latencyMs, boolean isCorrect) {
        sent++;
        boolean served = served(r.status());
        boolean inTime = served && onTimeByClock;
        if (!served) {
            dropped++;
        } else if (!inTime) {
            late++;
        } else {
            onTime++;
        }
        List<Ballot> votes = r.votes();
        if (votes.isEmpty()) {
            for (String v : r.variants()) {
                mix.computeIfAbsent(v, k -> new long[1])[0]++;
            }
        } else {
            for (Ballot b : votes) {
                mix.computeIfAbsent(b.member(), k -> new long[1])[0]++;
            }
        }
        if (!inTime) {
            StageTimes s = r.latency();
            addStages(new double[] {s.ingestMs(), s.selectMs(), s.queueMs(), s.computeMs(), s.aggregateMs()});
        }
        boolean hasLabel = r.label() >= 0;
        if (hasLabel) {
            labelled++;
            latency.add(latencyMs);
            if (isCorrect) {
                correct++;
                if (inTime) {
                    correctOnTime++;
                }
            }
        }
        bucket(second, inTime, hasLabel, hasLabel && isCorrect);
    }

    private void addStages(double[] v) {
        anyViolationStage = true;
        for (int i = 0; i < v.length; i++) {
            stages[i].add(v[i]);
        }
    }

    private void bucket(int second, boolean inTime, boolean hasLabel, boolean isCorrect) {
        if (second < 0 || second >= offered.length) {
            return;
        }
        offered[second]++;
        if (inTime) {
            served[second]++;
        } else {
            violations[second]++;
        }
        if (hasLabel) {
            seriesLabelled[second]++;
            seriesCorrect[second] += isCorrect ? 1 : 0;
        }
    }

    /** A member task's batch of {@code size} took {@code ms} on {@code variant}. */
    void batch(String variant, double ms, int size) {
        batchMs.computeIfAbsent(variant, k -> new LatencyHistogram()).add(ms);
        long[] s = batchSizes.computeIfAbsent(variant, k -> new long[2]);
        s[0] += size;
        s[1]++;
    }

    RunResult result(double durationS, long events, double wallS, double cpuS) {
        Map<String, Double> batches = new TreeMap<>();
        batchMs.forEach((v, h) -> batches.put(v, round(h.quantile(0.5))));
        Map<String, Double> sizes = new TreeMap<>();
        batchSizes.forEach((v, s) -> sizes.put(v, round(s[0] / (double) s[1])));
        Map<String, Double> lat = new LinkedHashMap<>();
        lat.put("p50", round(latency.quantile(0.5)));
        lat.put("p99", round(latency.quantile(0.99)));
        Map<String, Long> m = new TreeMap<>();
        mix.forEach((k, v) -> m.put(k, v[0]));
        Map<String, Double> st = new LinkedHashMap<>();
        if (anyViolationStage) {
            for (int i = 0; i < STAGES.size(); i++) {
                st.put(STAGES.get(i), round(stages[i].quantile(0.5)));
            }
        }
        double[] accuracy = new double[offered.length];
        for (int i = 0; i < accuracy.length; i++) {
            accuracy[i] = seriesLabelled[i] == 0 ? Double.NaN : seriesCorrect[i] / seriesLabelled[i];
        }
        long violationsTotal = dropped + late;
        return new RunResult(sent, ratio(onTime, sent), dropped, late, violationsTotal, ratio(correctOnTime, sent),
                ratio(correct, labelled), round(onTime / durationS), round(sent / durationS), lat, m,
                round(decisionUs.quantile(0.99)), st, sent == 0 ? 0 : computeMs / sent, escalations, moves, skipped,
                events, wallS, cpuS, batches, sizes, new SimSeries(offered, served, violations, accuracy));
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : Math.round(a * 1e6 / b) / 1e6;
    }

    private static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 100) / 100.0;
    }
}
