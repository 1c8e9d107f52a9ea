package dev.sluice.bench;

import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledSet;
import dev.sluice.selector.SelectorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Replays one trace against each policy in turn on a running pipeline (the policy is chosen per
 * request, so one stack serves every run), and collects each policy's result and time series.
 */
public final class PolicyBenchmark {
    /** The trace, its length, and what every request asks for. */
    /**
     * @param rounds how many times the trace is replayed per policy, the policies taking turns
     *     (A B A B ...) so that drift of the host over the run falls on all of them alike
     */
    public record Config(List<String> policies, String traceName, RateTrace trace, double peakRate, double durationS,
            long deadlineMs, List<Double> floors, long seed, double pauseS, double warmupS, String task, int rounds) {
        public Config {
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
            }
        }

        public Config(List<String> policies, String traceName, RateTrace trace, double peakRate, double durationS,
                long deadlineMs, List<Double> floors, long seed, double pauseS, double warmupS) {
            this(policies, traceName, trace, peakRate, durationS, deadlineMs, floors, seed, pauseS, warmupS, "fashion-mnist", 1);
        }
    }

    /**
     * What every policy did: {@code policies} pools the requests of all its rounds, {@code rounds}
     * has each round alone, and {@code series} is the first round's time series.
     */
    public record Report(Map<String, PolicyResult> policies, Map<String, List<PolicyResult>> rounds,
            Map<String, TimeSeries> series) {}

    private final SluiceClient client;
    private final LabelledSet data;
    private final MeterRegistry registry;

    public PolicyBenchmark(SluiceClient client, FashionMnist data, MeterRegistry registry) {
        this(client, LabelledSet.images(data), registry);
    }

    /** Over any labelled samples, e.g. image and audio together for the two-modality task. */
    public PolicyBenchmark(SluiceClient client, LabelledSet data, MeterRegistry registry) {
        this.client = client;
        this.data = data;
        this.registry = registry;
    }

    /**
     * The warm-up {@link #run} begins with: {@code warmupS} of requests at the trace's opening rate
     * (infaas, not counted), then the pause; nothing when {@code warmupS} is 0. Public for callers
     * that measure the pipeline before its first policy and want it warm for that too.
     */
    public void warmUp(Config c, Consumer<String> progress) {
        if (c.warmupS() <= 0) {
            return;
        }
        // JIT and ONNX Runtime warm up on requests nobody is judged on
        double rate = Math.max(1, c.trace().rateAt(0));
        progress.accept(String.format("warming up: %.0f s at %.0f rps (not counted)", c.warmupS(), rate));
        new LoadRunner(client, data).run(new LoadRunner.Options((int) (rate * c.warmupS()), RateTrace.steady(rate),
                c.deadlineMs(), c.floors(), "infaas", c.task(), 5_000), "bench-warmup", line -> {});
        sleep((long) (c.pauseS() * 1000));
    }

    public Report run(Config c, Consumer<String> progress) {
        return run(c, progress, (policy, outcomes) -> {});
    }

    /** As {@link #run(Config, Consumer)}, handing each policy run's outcomes to {@code onOutcomes} as it ends. */
    public Report run(Config c, Consumer<String> progress, BiConsumer<String, List<RequestOutcome>> onOutcomes) {
        int requests = countArrivals(c);
        warmUp(c, progress);
        Map<String, List<RequestOutcome>> pooled = new LinkedHashMap<>();
        Map<String, List<PolicyResult>> rounds = new LinkedHashMap<>();
        Map<String, TimeSeries> series = new LinkedHashMap<>();
        for (int round = 1; round <= c.rounds(); round++) {
            for (String policy : c.policies()) {
                String name = c.rounds() == 1 ? policy : policy + " (round " + round + "/" + c.rounds() + ")";
                progress.accept(String.format("policy %s: %d requests over %.0f s (%s), deadline %d ms", name, requests,
                        c.durationS(), c.traceName(), c.deadlineMs()));
                long start = System.currentTimeMillis();
                List<RequestOutcome> run = new LoadRunner(client, data).run(new LoadRunner.Options(requests, c.trace(),
                        c.deadlineMs(), c.floors(), policy, c.task(), 10_000, c.seed(), c.peakRate(), true),
                        "bench-" + policy + "-" + Long.toString(start, 36), progress);
                onOutcomes.accept(policy, run);
                PolicyResult r = PolicyResult.of(run, c.durationS(), SelectorMetrics.decisionP99Us(registry, policy));
                pooled.computeIfAbsent(policy, k -> new ArrayList<>()).addAll(run);
                rounds.computeIfAbsent(policy, k -> new ArrayList<>()).add(r);
                series.putIfAbsent(policy, TimeSeries.of(run, start, (int) Math.ceil(c.durationS()) + 1));
                progress.accept(String.format("policy %s: slo %.4f, effective accuracy %.4f, violations %d (dropped %d, late %d)",
                        name, r.sloAttainment(), r.effectiveAccuracy(), r.violations(), r.dropped(), r.late()));
                sleep((long) (c.pauseS() * 1000)); // let queues drain between policies
            }
        }
        Map<String, PolicyResult> results = new LinkedHashMap<>();
        // the decision-time p99 is read right after each round (the timer's window forgets idle time): the worst round's
        pooled.forEach((policy, outcomes) -> results.put(policy, PolicyResult.of(outcomes, c.durationS() * c.rounds(),
                rounds.get(policy).stream().mapToDouble(PolicyResult::decisionUsP99).max().orElse(0))));
        return new Report(results, rounds, series);
    }

    /** Where each policy's violating requests that got a result spent their time, median per stage. */
    public static String violationStagesTable(Map<String, PolicyResult> results) {
        StringBuilder b = new StringBuilder(String.format("%-15s %s%n", "violations:",
                "median ms per stage of the violating requests that got a result (ingest = created to read by the selector)"));
        b.append(String.format("%-15s", "policy"));
        PolicyResult.STAGES.forEach(st -> b.append(String.format(" %9s", st)));
        b.append(System.lineSeparator());
        results.forEach((name, r) -> {
            b.append(String.format("%-15s", name));
            PolicyResult.STAGES.forEach(st -> b.append(String.format(" %9.1f", r.violationStagesMs().getOrDefault(st, Double.NaN))));
            b.append(System.lineSeparator());
        });
        return b.toString();
    }

    /** Each policy's SLO attainment and violations round by round (for runs of several rounds). */
    public static String roundsTable(Map<String, List<PolicyResult>> rounds) {
        StringBuilder b = new StringBuilder();
        rounds.forEach((policy, rs) -> {
            double[] slo = rs.stream().mapToDouble(PolicyResult::sloAttainment).sorted().toArray();
            b.append(String.format("%-15s slo by round %s (min %.4f, max %.4f); violations by round %s%n", policy,
                    rs.stream().map(r -> String.format("%.4f", r.sloAttainment())).toList(), slo[0], slo[slo.length - 1],
                    rs.stream().map(PolicyResult::violations).toList()));
        });
        return b.toString();
    }

    /** Requests the seeded Poisson schedule places inside the duration (the same for every policy). */
    static int countArrivals(Config c) {
        var s = new dev.sluice.decision.trace.PoissonSchedule(c.trace(), c.peakRate(), new SplittableRandom(c.seed()));
        int n = 0;
        while (s.next() < c.durationS()) {
            n++;
        }
        return n;
    }

    /** The comparison as a text table. */
    public static String table(Map<String, PolicyResult> results) {
        StringBuilder b = new StringBuilder(String.format("%-15s %8s %8s %6s %6s %8s %8s %8s %8s %8s %8s %9s  %s%n",
                "policy", "slo", "viol", "drop", "late", "eff.acc", "acc", "tput", "offered", "p50 ms", "p99 ms",
                "dec.us99", "variant mix"));
        results.forEach((name, r) -> b.append(String.format("%-15s %8.4f %8d %6d %6d %8.4f %8.4f %8.1f %8.1f %8.1f %8.1f %9.1f  %s%n",
                name, r.sloAttainment(), r.violations(), r.dropped(), r.late(), r.effectiveAccuracy(), r.accuracy(),
                r.throughputRps(), r.offeredRps(), r.latencyMs().get("p50"), r.latencyMs().get("p99"), r.decisionUsP99(),
                r.variantMix())));
        return b.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
