package dev.sluice.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bench.PolicyBenchmark;
import dev.sluice.bench.SummaryJson;
import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.decision.trace.Traces;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.sim.Comparison;
import dev.sluice.sim.Comparison.PolicySummary;
import dev.sluice.sim.Replicas;
import dev.sluice.sim.RunResult;
import dev.sluice.sim.SharedHost;
import dev.sluice.sim.SimConfig;
import dev.sluice.sim.PartsReport;
import dev.sluice.sim.SimEnvironment;
import dev.sluice.sim.SimOutcome;
import dev.sluice.sim.SimParts;
import dev.sluice.sim.answers.SampleAnswers;
import dev.sluice.sim.chart.SimCharts;
import dev.sluice.sim.device.DeviceProfile;
import dev.sluice.sim.hops.HopLatencies;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice sim}: the trace-driven simulator (module {@code sim/}). The same policies,
 * batcher, re-planning, escalation and aggregation code as the pipeline, on a virtual clock,
 * at any number of executor replicas.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Simulate the pipeline on a virtual clock with the production decision code: every policy on one "
                + "trace, at any number of executor replicas, several seeds, 95%% intervals.",
            "Batch latencies come from the catalog's measured profiles (or --device-profile), Kafka hops from a measured "
                + "file (--hops), executor status on the executors' period (stale load, as in production)."},
        subcommands = {SimMeasureHopsCommand.class, SimCommand.DeviceProfiles.class, SimPlacementCommand.class,
                SimValidationSummaryCommand.class})
final class SimCommand implements Callable<Integer> {
    /** --catalog (models/catalog-multimodal.yaml for --task fashion-mnist-spoken), and for --validate the pipeline's settings */
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--task", defaultValue = "fashion-mnist",
            description = "fashion-mnist, or fashion-mnist-spoken (image and audio in every request) (default: ${DEFAULT-VALUE})")
    String task;

    @Option(names = "--trace", defaultValue = "burst",
            description = "burst, step, diurnal, steady (scaled to the heaviest variant's capacity over its replicas, as bench "
                    + "policies scales them), or a spec: steady:RATE, burst:BASE:PEAK:FROM:TO, step:LOW:HIGH:AT, "
                    + "diurnal:LOW:HIGH:PERIOD, file:PATH (default: ${DEFAULT-VALUE})")
    String trace;

    @Option(names = "--duration-s", defaultValue = "30", description = "simulated trace length (default: ${DEFAULT-VALUE})")
    double durationS;

    @Option(names = "--replicas", defaultValue = "1",
            description = "executor replicas: N per variant, total=N spread across the zoo by cost per request, or "
                    + "variant=N,... (default: ${DEFAULT-VALUE})")
    String replicas;

    @Option(names = "--policies", split = ",", description = "policies to compare (default: every registered policy)")
    List<String> policies;

    @Option(names = "--seeds", defaultValue = "1", description = "runs per policy, seeds --seed .. --seed + N - 1 (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--seed", defaultValue = "7", description = "first seed; seed s sends what bench policies --seed s sends (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--deadline-ms", defaultValue = "150", description = "deadline of every request (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--min-accuracy", split = ",", defaultValue = "0,0.85,0.89,0.91",
            description = "accuracy floors, assigned in turn (default: ${DEFAULT-VALUE})")
    List<Double> floors;

    @Option(names = "--tiers", split = ",", description = "Tolerance Tiers assigned in turn (low, medium, high, ensemble-high); default none")
    List<String> tiers;

    @Option(names = "--priorities", split = ",", description = "priorities assigned in turn; default all 0")
    List<Integer> priorities;

    @Option(names = "--admission", split = ",", description = "policies wrapped in admission control")
    List<String> admission;

    @Option(names = "--device-profile", description = "device class profile: a file, or a shipped name ("
            + "cpu-2core-measured, gpu-ampere-derived); default: the catalog's own profiles")
    String deviceProfile;

    @Option(names = "--hops",
            description = "Kafka hop latencies: a file, or a shipped name (default: cpu-2core-eosr, measured by sim measure-hops; "
                    + "with --validate, the hops measured beside the pipeline run)")
    String hopsFile;

    @Option(names = "--overhead-ms", defaultValue = "50",
            description = "what the selector budgets for the hops (bench policies: 50 under exactly-once-results) (default: ${DEFAULT-VALUE})")
    double overheadMs;

    @Option(names = "--answer-margin-ms", defaultValue = "" + dev.sluice.decision.batch.DeadlineBatcher.DEFAULT_ANSWER_MARGIN_MS,
            description = "the executors' answer margin: a task that its batch plus this cannot bring in by its deadline is "
                    + "answered DEADLINE_EXCEEDED instead of run (sluice executor --answer-margin-ms) (default: ${DEFAULT-VALUE})")
    double answerMarginMs;

    @Option(names = "--status-interval-ms", defaultValue = "200", description = "executor status period (default: ${DEFAULT-VALUE})")
    long statusIntervalMs;

    @Option(names = "--status-stale-ms", defaultValue = "2000", description = "selector drops silent replicas after this (default: ${DEFAULT-VALUE})")
    long statusStaleMs;

    @Option(names = "--loads", split = ",",
            description = "also run the trace scaled by each factor (e.g. 0.25,0.5,1,1.5,2) and chart SLO attainment and "
                    + "effective accuracy against offered load")
    List<Double> loads;

    @Option(names = "--threads", defaultValue = "0", description = "runs in parallel; 0 = one per core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--summary-json", description = "write the comparison JSON here")
    Path summaryJson;

    @Option(names = "--requests-csv",
            description = "write every measured request of each policy's first seed as one CSV row, in the columns of "
                    + "bench policies --requests-csv (times in ms since the measured start): to compare a run with the "
                    + "pipeline's request by request; holds every request in memory, so not for long runs at scale")
    Path requestsCsv;

    @Option(names = "--charts", defaultValue = "sim", description = "chart files prefix: PREFIX-timeseries.svg, PREFIX-load.svg (default: ${DEFAULT-VALUE})")
    String charts;

    @Option(names = "--answers", defaultValue = "auto",
            description = "what each variant answers on each test image, so correctness follows the image request i carries "
                    + "(image i mod 10000, as bench policies sends them): auto (computed once with ONNX Runtime, cached in "
                    + "runs/sim-answers/), a cache file path, or none (each answer a coin flip weighted by the catalog "
                    + "accuracy) (default: ${DEFAULT-VALUE})")
    String answersOption;

    @Option(names = "--selectors", defaultValue = "1",
            description = "selector replicas: requests spread over them by key, each with its own policy instance and load "
                    + "view (every status, only its own dispatches) (default: ${DEFAULT-VALUE})")
    int selectors;

    @Option(names = "--selector-commit-ms",
            description = "the selector releases its plans and tasks on this period, those for one replica together (one "
                    + "hop), so tasks reach the executors in clumps; 0: each leaves when decided, on its own hop; default: 0, "
                    + "with --validate the selector producer's linger (5 ms: with it the simulated linear batches matched the "
                    + "pipeline's, 2.9 tasks each)")
    Long selectorCommitMsOption;
    long selectorCommitMs;

    @Option(names = "--host-cores", defaultValue = "0",
            description = "every replica on one host of this many cores, shared by the batches and the transport "
                    + "(SharedHost); 0: each replica a device of its own; --validate: this machine's cores unless given "
                    + "(default: ${DEFAULT-VALUE})")
    int hostCores;

    @Option(names = "--host-threads-per-run", defaultValue = "2",
            description = "cores one batch keeps busy on a shared host (the executors' intra-op threads) (default: ${DEFAULT-VALUE})")
    int hostThreadsPerRun;

    @Option(names = "--host-oversubscription", defaultValue = "1.22",
            description = "on a shared host, how much slower than a fluid share of the cores a batch runs once the threads "
                    + "wanted exceed the cores by one (its intra-op threads wait for each other; measured on 2 cores beside "
                    + "1 to 3 busy threads: 1.15 to 1.30); 1: fluid sharing (default: ${DEFAULT-VALUE})")
    double hostOversubscription;

    @Option(names = "--host-overlap", defaultValue = "true", arity = "1",
            description = "with --validate, charge batches that overlap on the shared host as the pipeline side's two-batch "
                    + "probe measured (two heavy batches at once, idle and beside the peak light load); false: as one batch "
                    + "is charged (default: ${DEFAULT-VALUE})")
    boolean hostOverlap;

    @Option(names = "--host-background-cores",
            description = "cores the shared host spends whatever the load (idle pipeline, other processes); default: the hop "
                    + "file's idle pipeline, or 0 beside a pipeline run's host probes (--validate: there the idle probe's "
                    + "slowness against the profile is a factor on every batch)")
    Double hostBackgroundCores;

    @Option(names = "--transport-cpu-ms",
            description = "CPU (ms) the transport spends per request on a shared host; default: the hop file's "
                    + "transport_cpu_ms (measure-hops), else the shipped file's, else 0; with --validate, what the loaded host "
                    + "probe beside the pipeline run measured (contention included)")
    Double transportCpuMs;

    @Option(names = "--executor-share",
            description = "on a shared host, the share of the transport's cost spent in the executors' own loops, which do "
                    + "not compete with their own batches (0 to 1); default: with --validate what the loaded host probe "
                    + "measured, else " + SharedHost.MEASURED_EXECUTOR_SHARE + " (measured on the 2-core machine)")
    Double executorShare;

    @Option(names = "--probe-variant",
            description = "with --validate: the variant the host probes run (default: the task's heaviest profiled one)")
    String probeVariant;

    @Option(names = "--turn-gap-ms",
            description = "how long each executor's loop works between one batch's model run and the next (polls, "
                    + "outputs, commits, status), during which its model idles; default 0, or with --validate what the "
                    + "pipeline's executors measured (sluice.executor.turn.gap)")
    Double turnGapMs;

    @Option(names = "--validate",
            description = "also run the real pipeline (bench policies, in this process, on an embedded broker) on the same "
                    + "catalog, trace, seed, deadline and floors, or read its results from --pipeline-json, and print "
                    + "both side by side; the simulator then models this machine as one shared host")
    boolean validate;

    @Option(names = "--pipeline-json",
            description = "with --validate: read the pipeline's results from this bench policies --summary-json file "
                    + "(or a --pipeline-out file) instead of running it")
    Path pipelineJson;

    @Option(names = "--pipeline-out", defaultValue = "sim-validate-pipeline.json",
            description = "with --validate: where the pipeline run's summary goes (default: ${DEFAULT-VALUE})")
    Path pipelineOut;

    @Option(names = "--warmup-s", defaultValue = "20",
            description = "with --validate: the pipeline's warm-up before the first policy, as bench policies (default: ${DEFAULT-VALUE})")
    double warmupS;

    @Option(names = "--pause-s", defaultValue = "5",
            description = "with --validate: the pipeline's pause between policies, as bench policies (default: ${DEFAULT-VALUE})")
    double pauseS;

    @Option(names = "--verbose", description = "keep the policies' own log lines (switches, re-plans), per run and seed")
    boolean verbose;

    @Option(names = "--parts",
            description = "send every request in parts, in this order: parts separated by commas, a part's modalities by + "
                    + "(e.g. image,audio: the image, then the audio, as bench multimodal sends them); default: whole requests")
    String parts;

    @Option(names = "--part-gap", defaultValue = "500",
            description = "with --parts: ms from one part to the next: G (fixed), exp:MEAN or uniform:A:B "
                    + "(default: ${DEFAULT-VALUE}, bench multimodal's --gap-ms)")
    String partGap;

    @Option(names = "--speculate", arity = "1", defaultValue = "true",
            description = "with --parts: re-plan and answer provisionally at every part (true, the selector's default) or "
                    + "hold the parts until the last (false: the request parameter speculate=false) (default: ${DEFAULT-VALUE})")
    boolean speculate;

    @Option(names = "--final-only", arity = "1",
            description = "with --parts: the client wants the final answer only; default: not --speculate, as bench multimodal")
    Boolean finalOnly;

    @Override
    public Integer call() throws Exception {
        if (!verbose && System.getProperty("org.slf4j.simpleLogger.log.dev.sluice.decision") == null) {
            // a policy logs its switches for the operator; over many simulated runs they are noise
            System.setProperty("org.slf4j.simpleLogger.log.dev.sluice.decision", "warn");
        }
        long wall0 = System.nanoTime();
        HeapSampler heap = HeapSampler.start();
        boolean spoken = BenchMultimodalCommand.TASK.equals(task);
        Catalog pipelineCatalog = spoken ? cluster.loadCatalogOr("models/catalog-multimodal.yaml") : cluster.loadCatalog();
        Path cf = cluster.catalog;
        Catalog catalog = pipelineCatalog;
        DeviceProfile device = deviceProfile == null ? null : DeviceProfile.load(deviceProfile);
        if (!(hostOversubscription >= 1)) { // checked before a pipeline runs for minutes
            throw new IllegalArgumentException("--host-oversubscription must be >= 1 (1: fluid sharing), got "
                    + hostOversubscription);
        }
        if (validate && device != null) {
            throw new IllegalArgumentException("--validate compares with this machine's pipeline: leave out --device-profile");
        }
        if (device != null) {
            catalog = device.applyTo(catalog);
        }
        String hopsOption = hopsFile;
        selectorCommitMs = selectorCommitMsOption != null ? selectorCommitMsOption
                : validate ? dev.sluice.selector.SelectorApp.PRODUCER_LINGER_MS : 0;
        HopLatencies hops = HopLatencies.load(hopsFile == null ? "cpu-2core-eosr" : hopsFile);
        Map<String, Integer> reps = Replicas.parse(replicas, catalog, task);
        Variant heaviest = catalog.forTask(task).stream().filter(Variant::isProfiled)
                .max(Comparator.comparingDouble(v -> v.profile().p50Ms(1))).orElseThrow();
        double capacity = heaviest.profile().peakThroughput() * Math.max(1, reps.getOrDefault(heaviest.id(), 0));
        RateTrace t = Traces.named(trace, capacity, durationS);
        double peak = Traces.peakOf(t, durationS);
        List<String> names = policies != null ? policies : new Policies(0).names();
        int threadCount = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        SimConfig config = SimConfig.of(task, t, peak, durationS, deadlineMs, floors, reps)
                .withMix(tiers == null ? List.of() : tiers, priorities == null ? List.of() : priorities)
                .withStatus(statusIntervalMs, statusStaleMs).withOverheadMs(overheadMs).withAnswerMarginMs(answerMarginMs)
                .withAdmission(admission == null ? java.util.Set.of() : new LinkedHashSet<>(admission));
        int executors = config.totalReplicas();
        System.out.printf(Locale.ROOT, "sim: task %s, %d executor replicas %s%n", task, executors, reps);
        System.out.printf(Locale.ROOT, "heaviest variant %s serves about %.0f rps over its %d replica(s) (profile); trace %s "
                + "peaks at %.0f rps; %.0f s simulated; deadline %d ms; floors %s%n", heaviest.id(), capacity,
                reps.getOrDefault(heaviest.id(), 0), trace, peak, durationS, deadlineMs, floors);
        System.out.printf(Locale.ROOT, "costs: %s; hops: %s (median path %.1f ms)%n",
                device == null ? "catalog profiles (" + cf + ")" : device.device() + " (" + device.kind() + ")",
                hops.provenance().isEmpty() ? hopsFile : String.join("; ", hops.provenance()), hops.medianPathMs());
        System.out.printf(Locale.ROOT, "%d policies x %d seeds on %d threads%n", names.size(), seeds, threadCount);
        warnIfC1Only();

        SampleAnswers answers = answers(catalog, cf);
        SimValidation.PipelineSide pipeline = null;
        if (validate) {
            String command = SimValidation.benchCommand(names, trace, durationS, deadlineMs, floors, seed, warmupS, pauseS, task,
                    cluster);
            pipeline = pipelineJson != null ? SimValidation.read(pipelineJson)
                    : SimValidation.run(cluster, pipelineCatalog, probed(pipelineCatalog, heaviest), new PolicyBenchmark.Config(names, trace, t, peak,
                            durationS, deadlineMs, floors, seed, pauseS, warmupS, task, 1), command, pipelineOut,
                            System.out::println);
            System.out.println("pipeline side: " + pipeline.source());
            if (hopsFile == null && pipeline.hopsFile() != null) {
                hopsFile = pipeline.hopsFile().toString();
                hops = HopLatencies.load(hopsFile);
                System.out.printf(Locale.ROOT, "hops: measured beside the pipeline run, %s (median path %.1f ms)%n", hopsFile,
                        hops.medianPathMs());
            }
        }
        if (answers != null) {
            System.out.printf(Locale.ROOT, "answers: per test image for %s (%d images; request i carries image i mod %d)%n",
                    answers.variants(), answers.samples(), answers.samples());
        }
        SharedHost host = sharedHost(hops, null, pipeline == null ? null : pipeline.loaded(), pipeline);
        if (host != null) {
            System.out.println(host.describe());
        }
        if (selectorCommitMs > 0) {
            System.out.printf(Locale.ROOT, "selector releases its plans and tasks every %d ms (one task hop per replica and "
                    + "release)%n", selectorCommitMs);
        }
        SimParts inParts = parts == null ? null : SimParts.parse(parts, partGap, speculate, finalOnly);
        if (inParts != null) {
            if (validate) {
                throw new IllegalArgumentException("--validate compares whole requests with bench policies: leave out --parts");
            }
            System.out.println(inParts.describe());
        }
        RequestLog requestLog = requestsCsv == null ? null : new RequestLog(seed);
        if (turnGapMs != null && !(turnGapMs >= 0)) {
            throw new IllegalArgumentException("--turn-gap-ms must be >= 0, got " + turnGapMs);
        }
        SimEnvironment env = new SimEnvironment(host, answers, selectors, selectorCommitMs, inParts, requestLog, null)
                .withTurnGapMs(turnGapMs == null ? 0 : turnGapMs);
        Map<String, SharedHost> hosts = new LinkedHashMap<>();
        Map<String, PolicySummary> results;
        Map<String, PolicySummary> atPipelineSpeed = new LinkedHashMap<>();
        Map<String, Double> speedFactors = new LinkedHashMap<>();
        if (pipeline != null && !pipeline.probes().isEmpty()) {
            // each policy on the host as probed on each side of its pipeline run
            results = new LinkedHashMap<>();
            boolean own = hopsOption == null; // --hops given: every policy on those
            for (String p : names) {
                SimValidation.HostProbe probe = pipeline.probes().get(p);
                // the loaded probes on each side of this policy where measured, else the one before all of them
                SharedHost h = sharedHost(hops, probe, probe != null && probe.loaded() != null ? probe.loaded()
                        : pipeline.loaded(), pipeline);
                hosts.put(p, h);
                HopLatencies ph = own && pipeline.policyHops().containsKey(p) ? HopLatencies.load(pipeline.policyHops().get(p)
                        .toString()) : hops;
                System.out.printf(Locale.ROOT, "%s: %s; hops %s (median path %.1f ms)%n", p, h.describe(),
                        ph == hops ? hopsFile : pipeline.policyHops().get(p), ph.medianPathMs());
                SimEnvironment.BusyHops busy = null;
                if (own && pipeline.policyBusyHops().containsKey(p) && pipeline.busyAboveRps() > 0) {
                    busy = new SimEnvironment.BusyHops(HopLatencies.load(pipeline.policyBusyHops().get(p).toString()),
                            pipeline.busyAboveRps());
                    System.out.printf(Locale.ROOT, "%s: above %.0f rps, hops %s (median path %.1f ms)%n", p, busy.aboveRps(),
                            pipeline.policyBusyHops().get(p), busy.hops().medianPathMs());
                }
                JsonNode age = pipeline.statusAges().path(p).path("mean_ms");
                if (age.isNumber()) {
                    System.out.printf(Locale.ROOT, "%s: executor statuses reached the pipeline's load views %.1f ms after they "
                            + "were taken, on average over the run; the simulated status hop averages %.1f ms%s%n", p,
                            age.asDouble(), ph.of(HopLatencies.Hop.STATUS).mean(), busy == null ? ""
                            : String.format(Locale.ROOT, " (%.1f ms above %.0f rps)", busy.hops().of(HopLatencies.Hop.STATUS).mean(),
                                    busy.aboveRps()));
                }
                double fetchBack = pipeline.fetchBackShare(p);
                if (fetchBack < 1) {
                    System.out.printf(Locale.ROOT, "%s: the executors' fetch after a long batch was back by their next poll "
                            + "%.0f%% of the time with a full batch waiting; so are the simulated ones'%n", p, 100 * fetchBack);
                }
                double turnGap = turnGapMs != null ? turnGapMs : pipeline.turnGapMs(p);
                if (turnGap > 0) {
                    System.out.printf(Locale.ROOT, "%s: the executors' loop works %.2f ms between one batch's model run and "
                            + "the next, on average%s; so do the simulated ones'%n", p, turnGap, turnGapMs != null ? " (--turn-gap-ms)" : "");
                }
                SimEnvironment policyEnv = new SimEnvironment(h, answers, selectors, selectorCommitMs, null, requestLog, busy,
                        fetchBack, turnGap);
                results.putAll(Comparison.run(config, catalog, ph, policyEnv, List.of(p), seeds, seed, threadCount,
                        System.out::println));
                // again with the heavy batches as fast as the pipeline's ran in the busy seconds (MeasuredSpeed)
                Catalog zoo = catalog;
                double busyAbove = pipeline.busyAboveRps();
                double f = MeasuredSpeed.match(pipeline.busyBatches(p, t), factor -> {
                    List<SimOutcome> outcomes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                    Comparison.run(config, zoo, ph, policyEnv.withHost(h.slowedBy(factor)).withRequestLog(outcomes::add),
                            List.of(p), 1, seed, 1, null);
                    return MeasuredSpeed.ofSimulated(outcomes, t, busyAbove);
                });
                speedFactors.put(p, f);
                atPipelineSpeed.putAll(Double.isNaN(f) ? Map.of(p, results.get(p)) // no heavy batches to match: as above
                        : Comparison.run(config, catalog, ph, policyEnv.withHost(h.slowedBy(f)).withRequestLog(null), List.of(p),
                                seeds, seed, threadCount, null));
            }
        } else {
            results = Comparison.run(config, catalog, hops, env, names, seeds, seed, threadCount, System.out::println);
        }
        if (requestLog != null) {
            Files.writeString(requestsCsv, requestLog.csv(names));
            System.out.println("requests of seed " + seed + " written to " + requestsCsv.toAbsolutePath());
        }
        System.out.println();
        System.out.print(Comparison.table(results));
        if (PartsReport.any(results)) {
            System.out.print(PartsReport.table(results));
        }
        String title = "sim " + task + ", " + trace + ", " + executors + " replicas";
        Path ts = Path.of(charts + "-timeseries.svg");
        Files.writeString(ts, SimCharts.timeSeries(title, results));
        System.out.println("time series (first seed) written to " + ts.toAbsolutePath());

        Map<Double, Map<String, PolicySummary>> byLoad = new LinkedHashMap<>();
        if (loads != null && !loads.isEmpty()) {
            for (double f : loads) {
                RateTrace scaled = s -> f * t.rateAt(s);
                System.out.printf(Locale.ROOT, "load x%.2f: peak %.0f rps%n", f, f * peak);
                byLoad.put(f, f == 1.0 ? results : Comparison.run(config.withTrace(scaled, f * peak), catalog, hops,
                        env.withRequestLog(null),
                        names, seeds, seed, threadCount, null));
                System.out.print(Comparison.table(byLoad.get(f)));
            }
            Path lc = Path.of(charts + "-load.svg");
            Files.writeString(lc, SimCharts.againstLoad(title, byLoad));
            System.out.println("SLO attainment and effective accuracy against offered load written to " + lc.toAbsolutePath());
        }

        Map<String, Map<String, Object>> validation = null;
        Map<String, Map<String, Object>> atSpeed = null;
        if (pipeline != null) {
            System.out.println();
            System.out.printf(Locale.ROOT, "validation (issue 19: SLO within %.2f absolute, effective accuracy within %.0f point); "
                    + "sim over %d seed(s) from %d, pipeline: %s%n", SimValidation.SLO_TOLERANCE,
                    100 * SimValidation.ACCURACY_TOLERANCE, seeds, seed, pipeline.source());
            System.out.print(SimValidation.table(pipeline, results));
            System.out.print(SimValidation.computeTable(pipeline, results));
            System.out.print(SimValidation.coresTable(pipeline));
            System.out.print(SimValidation.stallNotes(pipeline, results));
            validation = SimValidation.compare(pipeline, results);
            if (!atPipelineSpeed.isEmpty()) {
                System.out.println();
                System.out.println("validation with each policy's heavy batches as fast as the pipeline's in the busy seconds "
                        + "(the host model's speed error set aside; factor: how many times slower than the host model "
                        + "predicted, -: no heavy batches, as above): " + SimValidation.factors(speedFactors));
                System.out.print(SimValidation.table(pipeline, atPipelineSpeed));
                atSpeed = SimValidation.compare(pipeline, atPipelineSpeed);
                atSpeed.forEach((p, row) -> {
                    double f = speedFactors.get(p);
                    if (!Double.isNaN(f)) {
                        row.put("speed_factor", Math.round(f * 1e4) / 1e4);
                    }
                });
            }
        }

        double wallS = (System.nanoTime() - wall0) / 1e9;
        long events = 0;
        double runWall = 0;
        double runCpu = 0;
        double offered = 0;
        int runs = 0;
        for (PolicySummary s : results.values()) {
            for (RunResult r : s.runs()) {
                events += r.events();
                runWall += r.wallS();
                runCpu += r.cpuS();
                offered += r.offeredRps();
                runs++;
            }
        }
        Map<String, Object> scale = new LinkedHashMap<>();
        scale.put("executors", executors);
        scale.put("offered_rps", Math.round(offered / runs));
        scale.put("simulated_s", durationS);
        scale.put("runs", runs);
        scale.put("threads", threadCount);
        scale.put("wall_s", round(wallS));
        scale.put("run_wall_s_mean", round(runWall / runs));
        scale.put("run_wall_s_max", round(results.values().stream().flatMap(s -> s.runs().stream())
                .mapToDouble(RunResult::wallS).max().orElse(0)));
        scale.put("events", events);
        scale.put("run_cpu_s_mean", round(runCpu / runs));
        scale.put("events_per_s", Math.round(events / runWall));
        scale.put("events_per_cpu_s", Math.round(events / runCpu));
        scale.put("events_per_s_all_threads", Math.round(events / wallS));
        scale.put("peak_heap_mb", Math.round(heap.stop() / 1e6));
        scale.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1_000_000);
        scale.put("cpu_s", round(cpuSeconds()));
        System.out.printf(Locale.ROOT, "scale: %d replicas, %.0f rps offered, %.0f s simulated per run; %d runs in %.1f s wall "
                + "(%.1f s wall and %.1f s CPU per run, max %.1f s wall); %.2fM events, %.0fk events/s per run thread "
                + "(%.0fk per CPU second); peak heap %d MB of %d MB%n", executors, offered / runs, durationS, runs, wallS,
                runWall / runs, runCpu / runs, (double) scale.get("run_wall_s_max"), events / 1e6, events / runWall / 1e3,
                events / runCpu / 1e3, (long) scale.get("peak_heap_mb"), (long) scale.get("max_heap_mb"));

        if (summaryJson != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("task", task);
            json.put("trace", trace);
            json.put("duration_s", durationS);
            json.put("deadline_ms", deadlineMs);
            json.put("floors", floors);
            json.put("heaviest_variant", heaviest.id());
            json.put("heaviest_capacity_rps", round(capacity));
            json.put("peak_offered_rps", round(peak));
            json.put("replicas", reps);
            json.put("selectors", selectors);
            json.put("selector_release_ms", selectorCommitMs);
            json.put("device_profile", device == null ? Map.of("device", "catalog", "kind", "measured", "source", cf.toString())
                    : Map.of("device", device.device(), "kind", device.kind(), "source", device.source()));
            json.put("hops", Map.of("file", hopsFile == null ? "cpu-2core-eosr" : hopsFile, "provenance", hops.provenance()));
            json.put("answers", answers == null ? "none (accuracy coin flips)" : "per test image: " + answers.variants());
            if (!hosts.isEmpty()) {
                json.put("shared_host", hosts);
            } else if (host != null) {
                json.put("shared_host", host);
            }
            if (inParts != null) {
                Map<String, Object> pj = new LinkedHashMap<>();
                pj.put("parts", inParts.parts());
                pj.put("gap", inParts.gap().describe());
                pj.put("speculate", inParts.speculate());
                pj.put("final_only", inParts.finalOnly());
                json.put("parts", pj);
            }
            json.put("seeds", seeds);
            json.put("first_seed", seed);
            Map<String, Object> ps = new LinkedHashMap<>();
            results.forEach((k, v) -> ps.put(k, v.toJson()));
            json.put("policies", ps);
            if (!byLoad.isEmpty()) {
                Map<String, Object> lj = new LinkedHashMap<>();
                byLoad.forEach((f, r) -> {
                    Map<String, Object> per = new LinkedHashMap<>();
                    r.forEach((p, s) -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("offered_rps", s.of(RunResult::offeredRps).mean());
                        m.put("slo_attainment", Map.of("mean", s.slo().mean(), "ci95", s.slo().ci95()));
                        m.put("effective_accuracy", Map.of("mean", s.effectiveAccuracy().mean(), "ci95",
                                s.effectiveAccuracy().ci95()));
                        per.put(p, m);
                    });
                    lj.put(String.valueOf(f), per);
                });
                json.put("loads", lj);
            }
            json.put("scale", scale);
            if (validation != null) {
                Map<String, Object> pipe = new LinkedHashMap<>();
                pipe.put("source", pipeline.source());
                Map<String, Object> probes = new LinkedHashMap<>();
                pipeline.probes().forEach((p, h) -> probes.put(p, h.toJson(Runtime.getRuntime().availableProcessors())));
                pipe.put("host_probes", probes);
                if (pipeline.loaded() != null) {
                    pipe.put("loaded_probe", pipeline.loaded().toJson());
                }
                json.put("pipeline", pipe);
                json.put("validation", validation);
                if (atSpeed != null) {
                    json.put("validation_at_pipeline_speed", atSpeed);
                }
            }
            SummaryJson.write(summaryJson, json);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return 0;
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    /** --answers: the per-image answers, or null for coin flips. */
    private SampleAnswers answers(Catalog catalog, Path catalogFile) {
        if (answersOption.equals("none") || !task.equals("fashion-mnist")) {
            return null; // the per-image answers are of the image test set (the spoken task's samples are not computed)
        }
        Path cache = answersOption.equals("auto") ? SimAnswersCache.DEFAULT : Path.of(answersOption);
        Path dir = catalogFile.toAbsolutePath().getParent();
        return SimAnswersCache.load(catalog, dir == null ? Path.of(".") : dir, task, cache, System.out::println);
    }

    /** The variant the host probes run: --probe-variant, else {@code heaviest}. */
    private Variant probed(Catalog catalog, Variant heaviest) {
        if (probeVariant == null) {
            return heaviest;
        }
        return catalog.forTask(task).stream().filter(v -> v.id().equals(probeVariant) && v.isProfiled()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--probe-variant " + probeVariant + ": no profiled variant of "
                        + "that id for task " + task));
    }

    /** The shared host, if any: --host-cores, or this machine under --validate; its background from the options, probe or hop file. */
    private SharedHost sharedHost(HopLatencies hops, SimValidation.HostProbe probe, SimValidation.LoadedProbe loaded,
            SimValidation.PipelineSide pipeline) {
        int cores = hostCores > 0 ? hostCores : validate ? Runtime.getRuntime().availableProcessors() : 0;
        if (cores == 0) {
            return null;
        }
        // the option; else what the transport cost a running batch on this host (the loaded probe); else the hop file's
        // CPU per request; a hop file without it (one measured beside a --validate run) borrows the shipped file's
        double transport = transportCpuMs != null ? transportCpuMs
                : loaded != null ? loaded.transportMsPerRequest(hostOversubscription)
                : !Double.isNaN(hops.transportCpuMs()) ? hops.transportCpuMs()
                : Double.isNaN(HopLatencies.defaults().transportCpuMs()) ? 0 : HopLatencies.defaults().transportCpuMs();
        // beside a pipeline run, the idle probe's slowness is a factor on every batch (its threads had the cores: it is
        // not other work's demand); without one, the hop file's idle cores count as background demand
        double background = hostBackgroundCores != null ? hostBackgroundCores : probe != null ? 0
                : Double.isNaN(hops.idleCores()) ? 0 : hops.idleCores();
        double alone = 1;
        if (probe != null) {
            alone = Math.max(1, probe.slowdown());
            System.out.printf(Locale.ROOT, "host probe: %s batch of %d ran %.2fx its profile beside the idle pipeline run "
                    + "(load average %.2f before, %.2f after)%n", probe.variant(), probe.batch(), probe.slowdown(),
                    probe.loadBefore()[0], probe.loadAfter()[0]);
        }
        // batches overlapping: as the pipeline side's two-batch probe measured them, the transport's cost following this
        // policy's one-batch probe (the pair is probed once, before the first policy)
        double overlapTransport = transport;
        double overlapPenalty = hostOversubscription;
        SimValidation.PairProbe pair = pipeline == null ? null : pipeline.pair();
        if (hostOverlap && pair != null && transportCpuMs == null && loaded != null && pipeline.loaded() != null) {
            overlapPenalty = pair.overlapOversubscription(hostThreadsPerRun);
            double first = pipeline.loaded().transportMsPerRequest(hostOversubscription);
            overlapTransport = pair.overlapTransportMsPerRequest(hostThreadsPerRun) * (first > 0 ? transport / first : 1);
        }
        // the executors' part of the transport: as the loaded probe measured it, else as measured on the 2-core machine
        double share = executorShare != null ? executorShare
                : loaded != null && Double.isFinite(loaded.executorShare()) ? loaded.executorShare()
                : SharedHost.MEASURED_EXECUTOR_SHARE;
        return new SharedHost(cores, hostThreadsPerRun, background, transport, alone, hostOversubscription, overlapTransport,
                overlapPenalty, share);
    }

    private static double cpuSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** The launcher runs C1 only by default (good for the Kafka pipeline on two cores); a long simulation wants C2. */
    private static void warnIfC1Only() {
        if (ManagementFactory.getRuntimeMXBean().getInputArguments().stream().anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel"))) {
            System.out.println("note: the JVM runs with -XX:TieredStopAtLevel (C1 only, ./sluice's default for the pipeline); "
                    + "long simulations run several times faster with SLUICE_JAVA_OPTS=\"-Xmx3g\"");
        }
    }

    /** The most heap in use, sampled every 100 ms. */
    static final class HeapSampler implements Runnable {
        private final AtomicLong peak = new AtomicLong();
        private volatile boolean running = true;
        private Thread thread;

        static HeapSampler start() {
            HeapSampler s = new HeapSampler();
            s.thread = new Thread(s, "heap-sampler");
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        @Override
        public void run() {
            var mem = ManagementFactory.getMemoryMXBean();
            while (running) {
                peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long stop() {
            running = false;
            thread.interrupt();
            peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            return peak.get();
        }
    }

    @Command(name = "device-profiles", mixinStandardHelpOptions = true,
            description = "Write the device-class profiles the simulator ships: the CPU profiles measured in the catalogs, "
                    + "and a GPU-class profile derived from them with published batch-scaling figures (labelled derived).")
    static final class DeviceProfiles implements Callable<Integer> {
        @Option(names = "--catalogs", split = ",", defaultValue = "models/catalog.yaml,models/catalog-multimodal.yaml",
                description = "catalogs whose measured profiles make the CPU profile (default: ${DEFAULT-VALUE})")
        List<Path> catalogs;

        @Option(names = "--out-dir", defaultValue = "sim/src/main/resources/dev/sluice/sim/profiles",
                description = "where to write cpu-2core-measured.yaml and gpu-ampere-derived.yaml (default: ${DEFAULT-VALUE})")
        Path outDir;

        @Override
        public Integer call() throws Exception {
            List<Catalog> cs = catalogs.stream().map(Catalog::load).toList();
            String command = "./sluice sim device-profiles --catalogs "
                    + String.join(",", catalogs.stream().map(Path::toString).toList());
            DeviceProfile cpu = DeviceProfile.measured("cpu-2core", "measured by ./sluice profile on the 2-core development "
                    + "machine (ONNX Runtime Java, 2 intra-op threads), copied from " + catalogs, cs);
            DeviceProfile gpu = dev.sluice.sim.device.GpuDerivation.from(cpu, "gpu-ampere-class");
            Files.createDirectories(outDir);
            Path c = outDir.resolve("cpu-2core-measured.yaml");
            Path g = outDir.resolve("gpu-ampere-derived.yaml");
            cpu.save(c, "# Device profile for ./sluice sim --device-profile cpu-2core-measured: the catalogs' measured\n"
                    + "# CPU profiles (batch size -> p50/p95/p99 ms, memory_mb = RSS growth), one entry per variant.\n"
                    + "# Written by: " + command + "\n");
            gpu.save(g, "# Device profile for ./sluice sim --device-profile gpu-ampere-derived. DERIVED, NOT MEASURED:\n"
                    + "# no GPU was at hand. Each variant's measured CPU profile scaled by the batch-scaling of published\n"
                    + "# ONNX Runtime CPU and Ampere-GPU medians of four CNNs (see source below and GpuDerivation):\n"
                    + dev.sluice.sim.device.GpuDerivation.describe()
                    + "# Written by: " + command + "\n");
            System.out.println("wrote " + c + " and " + g);
            return 0;
        }
    }
}
