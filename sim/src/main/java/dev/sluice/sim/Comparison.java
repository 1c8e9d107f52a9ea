package dev.sluice.sim;

import dev.sluice.models.Catalog;
import dev.sluice.sim.hops.HopLatencies;
import dev.sluice.sim.stats.Interval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Every policy on the same workload under several seeds, each (policy, seed) an independent,
 * deterministic {@link Simulation}; the runs may share threads, the results do not depend on how.
 * Seed {@code s} gives every policy the same arrivals (the arrival stream is the seed's alone).
 */
public final class Comparison {
    /** One policy over its seeds: each metric's mean and 95% interval, and the runs themselves. */
    public record PolicySummary(List<Long> seeds, List<RunResult> runs) {
        public Interval of(ToDoubleFunction<RunResult> metric) {
            return Interval.of(runs.stream().mapToDouble(metric).toArray());
        }

        public Interval slo() {
            return of(RunResult::sloAttainment);
        }

        public Interval effectiveAccuracy() {
            return of(RunResult::effectiveAccuracy);
        }

        public Interval p50() {
            return of(r -> r.latencyMs().get("p50"));
        }

        public Interval p99() {
            return of(r -> r.latencyMs().get("p99"));
        }

        public Interval computeMs() {
            return of(RunResult::computeMsPerRequest);
        }

        public Interval violations() {
            return of(RunResult::violations);
        }

        /** Variant mix summed over the seeds. */
        public Map<String, Long> mix() {
            Map<String, Long> m = new TreeMap<>();
            runs.forEach(r -> r.variantMix().forEach((k, v) -> m.merge(k, v, Long::sum)));
            return m;
        }

        /**
         * The summary as {@code bench policies} names its fields, each numeric one as {mean, ci95, n}
         * over the seeds; {@code latency_ms} as the mean p50 and p99 ({@code latency_ms_ci95} their
         * intervals); {@code variant_mix} summed; every seed's own result under {@code per_seed}.
         */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sent", json(of(RunResult::sent)));
            m.put("slo_attainment", json(slo()));
            m.put("dropped", json(of(RunResult::dropped)));
            m.put("late", json(of(RunResult::late)));
            m.put("violations", json(violations()));
            m.put("effective_accuracy", json(effectiveAccuracy()));
            m.put("accuracy", json(of(RunResult::accuracy)));
            m.put("throughput_rps", json(of(RunResult::throughputRps)));
            m.put("offered_rps", json(of(RunResult::offeredRps)));
            Map<String, Double> lat = new LinkedHashMap<>();
            lat.put("p50", p50().mean());
            lat.put("p99", p99().mean());
            m.put("latency_ms", lat);
            Map<String, Double> latCi = new LinkedHashMap<>();
            latCi.put("p50", p50().ci95());
            latCi.put("p99", p99().ci95());
            m.put("latency_ms_ci95", latCi);
            m.put("variant_mix", mix());
            m.put("decision_us_p99", json(of(RunResult::decisionUsP99)));
            Map<String, Double> stages = new LinkedHashMap<>();
            for (String st : List.of("ingest", "select", "queue", "compute", "aggregate")) {
                Interval i = of(r -> r.violationStagesMs().getOrDefault(st, Double.NaN));
                if (i.n() > 0) {
                    stages.put(st, round(i.mean()));
                }
            }
            m.put("violation_stages_p50_ms", stages);
            m.put("compute_ms_per_request", json(computeMs()));
            m.put("escalations", json(of(RunResult::escalations)));
            m.put("moves", json(of(RunResult::moves)));
            m.put("skipped", json(of(RunResult::skipped)));
            Map<String, Object> parts = PartsReport.json(runs);
            if (parts != null) {
                m.put("parts", parts);
            }
            m.put("seeds", seeds);
            m.put("per_seed", runs);
            return m;
        }
    }

    static Map<String, Object> json(Interval i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", round6(i.mean()));
        m.put("ci95", round6(i.ci95()));
        m.put("n", i.n());
        return m;
    }

    private static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 100) / 100.0;
    }

    private static double round6(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 1e6) / 1e6;
    }

    private Comparison() {}

    /**
     * Runs {@code policies} x seeds {@code firstSeed .. firstSeed + seeds - 1} on {@code threads}
     * threads; results by policy, in the order given.
     */
    public static Map<String, PolicySummary> run(SimConfig config, Catalog catalog, HopLatencies hops, List<String> policies,
            int seeds, long firstSeed, int threads, Consumer<String> progress) {
        return run(config, catalog, hops, SimEnvironment.NONE, policies, seeds, firstSeed, threads, progress);
    }

    /** As {@link #run(SimConfig, Catalog, HopLatencies, List, int, long, int, Consumer)}, in {@code env}. */
    public static Map<String, PolicySummary> run(SimConfig config, Catalog catalog, HopLatencies hops, SimEnvironment env,
            List<String> policies, int seeds, long firstSeed, int threads, Consumer<String> progress) {
        Map<String, List<RunResult>> runs = overSeeds(policies, seeds, firstSeed, threads, (p, seed) -> {
            RunResult r = new Simulation(config, catalog, hops, env, p, seed).run(progress);
            if (progress != null) {
                progress.accept(String.format(java.util.Locale.ROOT,
                        "%s seed %d: slo %.4f, effective accuracy %.4f, p99 %.1f ms, %d requests, %.1fM events in %.1f s",
                        p, seed, r.sloAttainment(), r.effectiveAccuracy(), r.latencyMs().get("p99"), r.sent(),
                        r.events() / 1e6, r.wallS()));
            }
            return r;
        });
        Map<String, PolicySummary> out = new LinkedHashMap<>();
        runs.forEach((p, rs) -> out.put(p, new PolicySummary(seeds(seeds, firstSeed), rs)));
        return out;
    }

    /** Seeds {@code firstSeed .. firstSeed + seeds - 1}. */
    static List<Long> seeds(int seeds, long firstSeed) {
        List<Long> out = new ArrayList<>();
        for (long s = firstSeed; s < firstSeed + seeds; s++) {
            out.add(s);
        }
        return out;
    }

    /**
     * {@code run(name, seed)} for every name and seed, on {@code threads} threads; the results by
     * name (in the order given), each list in seed order.
     */
    static <R> Map<String, List<R>> overSeeds(List<String> names, int seeds, long firstSeed, int threads,
            BiFunction<String, Long, R> run) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "sim");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, List<Future<R>>> futures = new LinkedHashMap<>();
            for (long seed : seeds(seeds, firstSeed)) {
                for (String name : names) {
                    futures.computeIfAbsent(name, k -> new ArrayList<>()).add(pool.submit(() -> run.apply(name, seed)));
                }
            }
            Map<String, List<R>> out = new LinkedHashMap<>();
            for (var e : futures.entrySet()) {
                List<R> runs = new ArrayList<>();
                for (Future<R> f : e.getValue()) {
                    runs.add(f.get());
                }
                out.put(e.getKey(), runs);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The comparison as a text table: mean ± 95% half-width over the seeds. */
    public static String table(Map<String, PolicySummary> results) {
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, "%-15s %17s %17s %9s %9s %15s %10s  %s%n",
                "policy", "slo", "eff.acc", "p50 ms", "p99 ms", "compute ms/req", "viol", "variant mix (all seeds)"));
        results.forEach((name, s) -> b.append(String.format(java.util.Locale.ROOT,
                "%-15s %17s %17s %9s %9s %15s %10.0f  %s%n", name, pm(s.slo(), 4), pm(s.effectiveAccuracy(), 4),
                num(s.p50().mean(), 1), num(s.p99().mean(), 1), pm(s.computeMs(), 3), s.violations().mean(), s.mix())));
        return b.toString();
    }

    static String pm(Interval i, int decimals) {
        String f = "%." + decimals + "f";
        if (Double.isNaN(i.ci95())) {
            return String.format(java.util.Locale.ROOT, f, i.mean());
        }
        return String.format(java.util.Locale.ROOT, f + " ±" + f, i.mean(), i.ci95());
    }

    private static String num(double x, int decimals) {
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f", x);
    }
}
