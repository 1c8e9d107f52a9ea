package dev.sluice.sim;

import dev.sluice.sim.Comparison.PolicySummary;
import dev.sluice.sim.stats.Interval;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Requests in parts over the seeds of a comparison: each {@link PartsResult} field's mean and 95% interval. */
public final class PartsReport {
    private PartsReport() {}

    /** Whether these runs sent requests in parts. */
    public static boolean any(Map<String, PolicySummary> results) {
        return results.values().stream().flatMap(s -> s.runs().stream()).anyMatch(r -> r.parts() != null);
    }

    private static Interval of(List<RunResult> runs, ToDoubleFunction<PartsResult> metric) {
        return Interval.of(runs.stream().filter(r -> r.parts() != null).mapToDouble(r -> metric.applyAsDouble(r.parts()))
                .toArray());
    }

    /** The {@code parts} object of a policy's summary JSON: every count as {mean, ci95, n}; null without parts. */
    static Map<String, Object> json(List<RunResult> runs) {
        if (runs.stream().noneMatch(r -> r.parts() != null)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", Comparison.json(of(runs, PartsResult::requests)));
        m.put("parts", Comparison.json(of(runs, PartsResult::parts)));
        m.put("held", Comparison.json(of(runs, PartsResult::held)));
        m.put("plans", Comparison.json(of(runs, PartsResult::plans)));
        m.put("provisional_plans", Comparison.json(of(runs, PartsResult::provisionalPlans)));
        m.put("kept_previous", Comparison.json(of(runs, PartsResult::keptPrevious)));
        m.put("awaited", Comparison.json(of(runs, PartsResult::awaited)));
        m.put("provisional_answers", Comparison.json(of(runs, PartsResult::provisionalAnswers)));
        m.put("provisional_held_back", Comparison.json(of(runs, PartsResult::provisionalHeldBack)));
        m.put("finals", Comparison.json(of(runs, PartsResult::finals)));
        m.put("revised", Comparison.json(of(runs, PartsResult::revised)));
        m.put("corrected", Comparison.json(of(runs, PartsResult::corrected)));
        m.put("first_accuracy", Comparison.json(of(runs, PartsResult::firstAccuracy)));
        m.put("first_answer_ms", Map.of("p50", Comparison.json(of(runs, p -> p.firstMs().get("p50"))),
                "p99", Comparison.json(of(runs, p -> p.firstMs().get("p99")))));
        m.put("final_answer_ms", Map.of("p50", Comparison.json(of(runs, p -> p.finalMs().get("p50"))),
                "p99", Comparison.json(of(runs, p -> p.finalMs().get("p99")))));
        return m;
    }

    /** The parts table: per policy, means over the seeds (± 95% half-width for the answer times). */
    public static String table(Map<String, PolicySummary> results) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%-15s %9s %8s %9s %9s %9s %9s %9s %9s %9s %15s %15s%n", "parts", "requests", "held", "plans", "prov.plans",
                "prov.ans", "finals", "revised", "corrected", "acc.first", "first p50/p99", "final p50/p99"));
        results.forEach((name, s) -> {
            List<RunResult> runs = s.runs();
            if (runs.stream().noneMatch(r -> r.parts() != null)) {
                return;
            }
            b.append(String.format(Locale.ROOT, "%-15s %9.0f %8.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.4f %15s %15s%n",
                    name, of(runs, PartsResult::requests).mean(), of(runs, PartsResult::held).mean(),
                    of(runs, PartsResult::plans).mean(), of(runs, PartsResult::provisionalPlans).mean(),
                    of(runs, PartsResult::provisionalAnswers).mean(), of(runs, PartsResult::finals).mean(),
                    of(runs, PartsResult::revised).mean(), of(runs, PartsResult::corrected).mean(),
                    of(runs, PartsResult::firstAccuracy).mean(),
                    pair(of(runs, p -> p.firstMs().get("p50")), of(runs, p -> p.firstMs().get("p99"))),
                    pair(of(runs, p -> p.finalMs().get("p50")), of(runs, p -> p.finalMs().get("p99")))));
        });
        b.append("(means over the seeds; requests in parts: held = parts held until the last, prov. = provisional, "
                + "revised = finals after a provisional answer the client saw, corrected = of those, a different label; "
                + "times from creation to the client receiving the first and the final answer, ms)\n");
        return b.toString();
    }

    private static String pair(Interval p50, Interval p99) {
        return String.format(Locale.ROOT, "%.0f / %.0f", p50.mean(), p99.mean());
    }
}
