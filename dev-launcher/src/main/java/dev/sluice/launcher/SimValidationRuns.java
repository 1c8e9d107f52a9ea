package dev.sluice.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sim.stats.Interval;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator against several pipeline runs: the {@code validation} sections of the summaries
 * that {@code sim --validate} wrote, one per pipeline run, pooled per policy. One pipeline run is
 * one draw of a noisy host (on two cores the same code's fixed-high SLO moved by 0.07 between
 * runs an hour apart), so a difference larger than the tolerance in one run can be the pipeline's
 * noise as well as the model's error; over runs, the mean difference and its 95% interval tell
 * them apart. Each run's sim side is already a mean over its seeds, on the host as probed beside
 * that run.
 *
 * <p>{@link Repeatability} measures that noise: the pipeline against itself over the same runs.
 * A per-run tolerance tighter than the pipeline's own run-to-run spread cannot be met by any
 * simulator whose inputs do not carry what moved the run (on a shared host, the cores the
 * transport left the models), so the table says how often the other runs' mean, a predictor
 * with no model error at all, lands within the tolerance of each run.
 *
 * <p>A run whose pipeline transport stalled during a policy ({@code transport_stalled} in its row,
 * {@link TransportStall}) is set aside for that policy and counted: the comparison holds
 * for a transport that is not saturated.
 */
final class SimValidationRuns {
    /** One policy over the runs: the per-run values, and how many runs were within the tolerance. */
    record PolicyRuns(String policy, List<Double> pipelineSlo, List<Double> pipelineAccuracy, List<Double> simSlo,
                      List<Double> sloDiff, List<Double> accuracyDiffPoints, int within, int setAside) {
        Interval sloDifference() {
            return Interval.of(sloDiff);
        }

        Interval accuracyDifferencePoints() {
            return Interval.of(accuracyDiffPoints);
        }

        /** The mean differences within the tolerance (SLO 0.03, effective accuracy 1 point). */
        boolean meanWithin() {
            return SimValidation.withinTolerance(sloDifference().mean(), accuracyDifferencePoints().mean() / 100);
        }

        int runs() {
            return sloDiff.size();
        }

        /** The pipeline's own outcomes over the runs, against each other. */
        Repeatability repeatability() {
            int n = runs();
            double sumSlo = pipelineSlo.stream().mapToDouble(Double::doubleValue).sum();
            double sumAcc = pipelineAccuracy.stream().mapToDouble(Double::doubleValue).sum();
            int withinOthers = 0;
            int pairsWithin = 0;
            for (int i = 0; i < n; i++) {
                if (n > 1 && SimValidation.withinTolerance((sumSlo - pipelineSlo.get(i)) / (n - 1) - pipelineSlo.get(i),
                        (sumAcc - pipelineAccuracy.get(i)) / (n - 1) - pipelineAccuracy.get(i))) {
                    withinOthers++;
                }
                for (int j = i + 1; j < n; j++) {
                    if (SimValidation.withinTolerance(pipelineSlo.get(j) - pipelineSlo.get(i),
                            pipelineAccuracy.get(j) - pipelineAccuracy.get(i))) {
                        pairsWithin++;
                    }
                }
            }
            return new Repeatability(sd(pipelineSlo), 100 * sd(pipelineAccuracy), n > 1 ? withinOthers : 0, n * (n - 1) / 2,
                    pairsWithin);
        }
    }

    /**
     * The pipeline against itself over the runs (same code, trace and seed, one draw of the host
     * each): the standard deviations of its SLO attainment and effective accuracy, in how many runs
     * the mean of the other runs is within the tolerance of the run's own outcome (a predictor
     * with no model error, left out of the run it predicts), and in how many of the pairs of runs
     * one run is within the tolerance of the other.
     */
    record Repeatability(double sloSd, double accuracySdPoints, int runsWithinOthersMean, int pairs, int pairsWithin) {}

    private SimValidationRuns() {}

    /** The section of a {@code sim --validate} summary with the comparison at the pipeline's batch speed ({@link MeasuredSpeed}). */
    static final String AT_PIPELINE_SPEED = "validation_at_pipeline_speed";

    /** Pools the validation sections of {@code summaries}, policies in the order first met. */
    static Map<String, PolicyRuns> read(List<Path> summaries) throws IOException {
        return read(summaries, "validation");
    }

    /** Whether every one of {@code summaries} has {@code section}. */
    static boolean allHave(List<Path> summaries, String section) throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (Path f : summaries) {
            if (!json.readTree(f.toFile()).path(section).isObject()) {
                return false;
            }
        }
        return true;
    }

    /** Pools the sections named {@code section} of {@code summaries} ({@code validation}, or {@link #AT_PIPELINE_SPEED}). */
    static Map<String, PolicyRuns> read(List<Path> summaries, String section) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<JsonNode>> byPolicy = new LinkedHashMap<>();
        for (Path f : summaries) {
            JsonNode validation = json.readTree(f.toFile()).path(section);
            if (!validation.isObject() || validation.isEmpty()) {
                throw new IllegalArgumentException(f + " has no " + section + " section: write it with sim --validate "
                        + "--summary-json");
            }
            validation.fields().forEachRemaining(e -> byPolicy.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        Map<String, PolicyRuns> out = new LinkedHashMap<>();
        byPolicy.forEach((policy, runs) -> {
            List<Double> pipe = new ArrayList<>();
            List<Double> pipeAcc = new ArrayList<>();
            List<Double> sim = new ArrayList<>();
            List<Double> diff = new ArrayList<>();
            List<Double> acc = new ArrayList<>();
            int within = 0;
            int setAside = 0;
            for (JsonNode r : runs) {
                if (r.path("transport_stalled").asBoolean(false)) {
                    setAside++;
                    continue;
                }
                pipe.add(r.path("pipeline_slo").asDouble());
                pipeAcc.add(r.path("pipeline_effective_accuracy").asDouble());
                sim.add(r.path("sim_slo").asDouble());
                diff.add(r.path("sim_slo").asDouble() - r.path("pipeline_slo").asDouble());
                acc.add(100 * (r.path("sim_effective_accuracy").asDouble() - r.path("pipeline_effective_accuracy").asDouble()));
                within += r.path("within").asBoolean() ? 1 : 0;
            }
            out.put(policy, new PolicyRuns(policy, pipe, pipeAcc, sim, diff, acc, within, setAside));
        });
        return out;
    }

    static String table(Map<String, PolicyRuns> runs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-15s %4s %8s %15s %15s %19s %19s %11s%n", "policy",
                "runs", "within", "pipe slo", "sim slo", "slo diff", "eff.acc diff pt", "mean within"));
        for (PolicyRuns p : runs.values()) {
            if (p.runs() == 0) {
                sb.append(String.format(Locale.ROOT, "%-15s %4d   (every run set aside)%n", p.policy(), 0));
                continue;
            }
            Interval pipe = Interval.of(p.pipelineSlo());
            Interval sim = Interval.of(p.simSlo());
            Interval d = p.sloDifference();
            Interval a = p.accuracyDifferencePoints();
            sb.append(String.format(Locale.ROOT, "%-15s %4d %8s %15s %15s %19s %19s %11s%n", p.policy(), p.runs(),
                    p.within() + "/" + p.runs(), meanCi(pipe, 4, false), meanCi(sim, 4, false), meanCi(d, 4, true),
                    meanCi(a, 2, true), p.meanWithin() ? "yes" : "NO"));
        }
        for (PolicyRuns p : runs.values()) {
            if (p.setAside() > 0) {
                sb.append(String.format(Locale.ROOT, "%s: %d run(s) set aside, the pipeline's transport stalled%n", p.policy(),
                        p.setAside()));
            }
        }
        return sb.toString();
    }

    /**
     * The pipeline against itself ({@link Repeatability}): per policy its SLO and effective
     * accuracy's standard deviations over the runs, the runs whose outcome the other runs' mean
     * predicts within the tolerance, and the pairs of runs within the tolerance of each other.
     */
    static String repeatabilityTable(Map<String, PolicyRuns> runs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-15s %4s %8s %13s %22s %18s%n", "policy", "runs",
                "slo sd", "eff.acc sd pt", "within, others' mean", "pairs within"));
        for (PolicyRuns p : runs.values()) {
            Repeatability r = p.repeatability();
            sb.append(String.format(Locale.ROOT, "%-15s %4d %8.4f %13.2f %22s %18s%n", p.policy(), p.runs(), r.sloSd(),
                    r.accuracySdPoints(), r.runsWithinOthersMean() + "/" + p.runs(), r.pairs() == 0 ? "-"
                    : String.format(Locale.ROOT, "%d/%d (%.0f%%)", r.pairsWithin(), r.pairs(),
                            100.0 * r.pairsWithin() / r.pairs())));
        }
        return sb.toString();
    }

    static Map<String, Object> repeatabilityJson(Map<String, PolicyRuns> runs) {
        Map<String, Object> out = new LinkedHashMap<>();
        runs.forEach((policy, p) -> {
            Repeatability r = p.repeatability();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runs", p.runs());
            m.put("slo_sd", round(r.sloSd()));
            m.put("effective_accuracy_sd_points", Math.round(r.accuracySdPoints() * 100) / 100.0);
            m.put("runs_within_others_mean", r.runsWithinOthersMean());
            m.put("run_pairs", r.pairs());
            m.put("run_pairs_within", r.pairsWithin());
            out.put(policy, m);
        });
        return out;
    }

    static Map<String, Object> toJson(Map<String, PolicyRuns> runs) {
        Map<String, Object> out = new LinkedHashMap<>();
        runs.forEach((policy, p) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runs", p.runs());
            m.put("runs_within", p.within());
            m.put("runs_set_aside_transport_stalled", p.setAside());
            m.put("pipeline_slo", interval(Interval.of(p.pipelineSlo())));
            m.put("pipeline_slo_range", List.of(min(p.pipelineSlo()), max(p.pipelineSlo())));
            m.put("sim_slo", interval(Interval.of(p.simSlo())));
            m.put("slo_difference", interval(p.sloDifference()));
            m.put("effective_accuracy_difference_points", interval(p.accuracyDifferencePoints()));
            m.put("mean_within", p.meanWithin());
            out.put(policy, m);
        });
        return out;
    }

    /** {@code mean ±ci95} to {@code decimals} places, signed when asked; the mean alone for one run. */
    private static String meanCi(Interval i, int decimals, boolean signed) {
        String mean = String.format(Locale.ROOT, "%" + (signed ? "+" : "") + "." + decimals + "f", i.mean());
        return Double.isNaN(i.ci95()) ? mean : mean + String.format(Locale.ROOT, " ±%." + decimals + "f", i.ci95());
    }

    private static Map<String, Object> interval(Interval i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", Double.isNaN(i.mean()) ? null : round(i.mean()));
        m.put("ci95", Double.isNaN(i.ci95()) ? null : round(i.ci95()));
        return m;
    }

    private static double round(double x) {
        return Math.round(x * 1e4) / 1e4;
    }

    /** The sample standard deviation; 0 for fewer than two values. */
    private static double sd(List<Double> v) {
        if (v.size() < 2) {
            return 0;
        }
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double ss = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
        return Math.sqrt(ss / (v.size() - 1));
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
