package dev.sluice.sim;

import dev.sluice.sim.stats.Interval;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every placement policy on the same workload under several seeds ({@link PlacementRun}); seed
 * {@code s} gives every placement the same arrivals. Runs may share threads; results do not
 * depend on how.
 */
public final class PlacementComparison {
    /** One placement over its seeds. */
    public record Summary(List<Long> seeds, List<PlacementRun.Result> runs) {
        public Comparison.PolicySummary metrics() {
            return new Comparison.PolicySummary(seeds, runs.stream().map(PlacementRun.Result::run).toList());
        }

        public Interval utilisation() {
            return Interval.of(runs.stream().mapToDouble(PlacementRun.Result::deviceUtilisation).toArray());
        }

        public Interval replans() {
            return Interval.of(runs.stream().mapToDouble(PlacementRun.Result::replans).toArray());
        }

        public Interval moves() {
            return Interval.of(runs.stream().mapToDouble(PlacementRun.Result::moves).toArray());
        }

        /** {@code sim}'s per-policy fields, plus device utilisation, re-plans, moves and the first seed's plans. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>(metrics().toJson());
            m.remove("per_seed");
            m.put("device_utilisation", Comparison.json(utilisation()));
            m.put("replans", Comparison.json(replans()));
            m.put("replica_moves", Comparison.json(moves()));
            m.put("plans_first_seed", runs.get(0).plans());
            m.put("per_seed", runs.stream().map(PlacementRun.Result::run).toList());
            return m;
        }
    }

    private PlacementComparison() {}

    public static Map<String, Summary> run(PlacementRun setup, List<String> placements, int seeds, long firstSeed, int threads,
            Consumer<String> progress) {
        Map<String, List<PlacementRun.Result>> runs = Comparison.overSeeds(placements, seeds, firstSeed, threads, (p, seed) -> {
            PlacementRun.Result r = setup.run(p, seed, progress);
            if (progress != null) {
                progress.accept(String.format(Locale.ROOT, "%s seed %d: slo %.4f, effective accuracy %.4f, p99 %.1f ms, "
                        + "utilisation %.3f, %d re-plans, %d moves, %d requests in %.1f s", p, seed, r.run().sloAttainment(),
                        r.run().effectiveAccuracy(), r.run().latencyMs().get("p99"), r.deviceUtilisation(), r.replans(),
                        r.moves(), r.run().sent(), r.run().wallS()));
            }
            return r;
        });
        Map<String, Summary> out = new LinkedHashMap<>();
        runs.forEach((p, rs) -> out.put(p, new Summary(Comparison.seeds(seeds, firstSeed), rs)));
        return out;
    }

    /** Mean ± 95% half-width over the seeds, one line per placement. */
    public static String table(Map<String, Summary> results) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s %17s %17s %15s %17s %15s %8s %8s %8s%n",
                "placement", "slo", "eff.acc", "p50 ms", "p99 ms", "device util.", "viol.", "replans", "moves"));
        results.forEach((name, s) -> {
            Comparison.PolicySummary m = s.metrics();
            b.append(String.format(Locale.ROOT, "%-10s %17s %17s %15s %17s %15s %8.0f %8.1f %8.1f%n", name,
                    Comparison.pm(m.slo(), 4), Comparison.pm(m.effectiveAccuracy(), 4), Comparison.pm(m.p50(), 1),
                    Comparison.pm(m.p99(), 1), Comparison.pm(s.utilisation(), 3), m.violations().mean(), s.replans().mean(),
                    s.moves().mean()));
        });
        return b.toString();
    }
}
