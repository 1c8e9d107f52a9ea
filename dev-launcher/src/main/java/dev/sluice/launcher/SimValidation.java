package dev.sluice.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bench.PolicyBenchmark;
import dev.sluice.bench.PolicyResult;
import dev.sluice.bench.SummaryJson;
import dev.sluice.bench.overhead.OrtThroughput;
import dev.sluice.bench.overhead.ThreadCpu;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledSet;
import dev.sluice.models.SpokenFashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.sim.Comparison.PolicySummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code sim --validate}: the real pipeline's side of the comparison, and the side-by-side table.
 *
 * <p>The pipeline side is {@code bench policies} run in this process on an embedded pipeline
 * (same catalog, trace, seed, deadline, floors, warm-up and pause), with a probe of the host on
 * each side of it: raw ONNX Runtime on the heaviest variant at its maximum batch, back to back,
 * with the pipeline up and idle ({@link OrtThroughput}, as {@code bench overhead} measures it).
 * How much slower than its profile that batch ran says how many cores other work took from the
 * executors while the pipeline ran (the machine is shared): the simulator's {@code SharedHost}
 * takes that as its background demand. Or the side is read from a {@code bench policies
 * --summary-json} file (then the background comes from the file's probe, or from the options).
 */
final class SimValidation {
    /** Within these of the pipeline, a policy validates (issue 19, item 4). */
    static final double SLO_TOLERANCE = 0.03;
    static final double ACCURACY_TOLERANCE = 0.01;

    /**
     * The host probe: the heaviest variant's full batch, before and after a policy, with the pipeline
     * idle; and {@code loaded} (null in files from before it was measured per policy) the same
     * batch beside the peak rate of light requests, before and after the policy.
     */
    record HostProbe(String variant, int batch, int threads, double profileMs, double beforeMs, double afterMs,
            double[] loadBefore, double[] loadAfter, LoadedProbe loaded) {
        /** Measured against profile, the mean of the two probes. */
        double slowdown() {
            return (beforeMs + afterMs) / 2 / profileMs;
        }

        Map<String, Object> toJson(int cores) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("variant", variant);
            m.put("batch", batch);
            m.put("threads", threads);
            m.put("profile_p50_ms", profileMs);
            m.put("before_ms", round(beforeMs));
            m.put("after_ms", round(afterMs));
            m.put("slowdown", round(slowdown()));
            m.put("cores", cores);
            m.put("load_average_before", loadBefore);
            m.put("load_average_after", loadAfter);
            if (loaded != null) {
                m.put("loaded", loaded.toJson());
            }
            return m;
        }

        static HostProbe fromJson(JsonNode n) {
            return new HostProbe(n.path("variant").asText(), n.path("batch").asInt(), n.path("threads").asInt(2),
                    n.path("profile_p50_ms").asDouble(), n.path("before_ms").asDouble(), n.path("after_ms").asDouble(),
                    doubles(n.path("load_average_before")), doubles(n.path("load_average_after")),
                    LoadedProbe.fromJson(n.path("loaded")));
        }
    }

    /**
     * The pipeline's results by policy ({@code slo_attainment}, {@code effective_accuracy}, ...),
     * with the host probes on each side of each policy when known (empty when not).
     */
    record PipelineSide(Map<String, JsonNode> policies, Map<String, HostProbe> probes, String source, Path hopsFile,
            Map<String, Path> policyHops, JsonNode computeByVariant, JsonNode batchSizes, LoadedProbe loaded,
            Map<String, Path> policyBusyHops, double busyAboveRps, PairProbe pair, JsonNode coresBusy, JsonNode statusAges,
            JsonNode prefetchBack, JsonNode batchesBusy, Path requestsCsv, JsonNode turnGaps,
            Map<String, TransportStall.Worst> requestHopWorsts) {
        /** The second of the policy's run with the slowest request hop ({@link TransportStall}), or null when not known. */
        TransportStall.Worst requestHopWorst(String policy) {
            return requestHopWorsts.get(policy);
        }

        /**
         * How often the policy's executors had the fetch sent right after a long batch back by
         * their next poll with a full batch waiting; 1 (always, as the simulator assumed before it
         * was measured) when the side has no such polls or predates the measurement. The side
         * also records it after a poll whose fetch was back and after one whose fetch was late
         * ({@link FetchPolls}): measured alike (fixed-high 53% and 56%, docs/benchmarks/sim.md),
         * so the simulator draws each fetch on its own.
         */
        double fetchBackShare(String policy) {
            JsonNode share = prefetchBack == null ? null : prefetchBack.path(policy).path("back_share");
            return share != null && share.isNumber() ? share.asDouble() : 1.0;
        }

        /**
         * The mean time from one batch's model run to the next in the policy's executors with a full
         * batch waiting ({@code sluice.executor.turn.gap}), over every policy's turns where its own
         * were fewer than {@link #MIN_GAP_TURNS}; 0 (none, as the simulator assumed before it was
         * measured) for a side without it.
         */
        double turnGapMs(String policy) {
            if (turnGaps == null || !turnGaps.isObject()) {
                return 0;
            }
            JsonNode own = turnGaps.path(policy);
            if (own.path("turns").asLong() >= MIN_GAP_TURNS) {
                return own.path("mean_ms").asDouble();
            }
            // the loop's work is the same whatever the model: a policy with few back-to-back batches gets the run's
            double turns = 0;
            double ms = 0;
            for (JsonNode g : turnGaps) {
                turns += g.path("turns").asDouble();
                ms += g.path("turns").asDouble() * g.path("mean_ms").asDouble();
            }
            return turns > 0 ? ms / turns : 0;
        }

        /**
         * The policy's batches in the trace's busy seconds by variant ({@link MeasuredSpeed}): as
         * the side recorded them, else from its requests file where that is still at hand (sides
         * from before the record), else none.
         */
        Map<String, MeasuredSpeed.Batches> busyBatches(String policy, RateTrace trace) {
            JsonNode b = batchesBusy == null ? null : batchesBusy.path(policy);
            if (b != null && b.isObject()) {
                Map<String, MeasuredSpeed.Batches> out = new LinkedHashMap<>();
                b.fields().forEachRemaining(e -> out.put(e.getKey(), new MeasuredSpeed.Batches(
                        e.getValue().path("requests").asLong(), e.getValue().path("mean_ms").asDouble())));
                return out;
            }
            return requestsCsv == null ? Map.of() : MeasuredSpeed.ofRequestsCsv(requestsCsv, policy, trace, busyAboveRps);
        }
    }

    /** Back-to-back batches a policy needs before its own mean time between them is trusted. */
    static final int MIN_GAP_TURNS = 50;

    /**
     * Every executor's {@code sluice.executor.prefetch.next.polls} so far, the polls right after a
     * prefetch with a full batch waiting: whether the fetch was back, by what the executor's poll
     * before found (after none, after one back, after one late).
     */
    record FetchPolls(double[] back, double[] late) {
        static final String[] PREVIOUS = {"none", "back", "late"};

        FetchPolls minus(FetchPolls o) {
            double[] b = new double[3];
            double[] l = new double[3];
            for (int i = 0; i < 3; i++) {
                b[i] = back[i] - o.back[i];
                l[i] = late[i] - o.late[i];
            }
            return new FetchPolls(b, l);
        }

        double backTotal() {
            return back[0] + back[1] + back[2];
        }

        double polls() {
            return backTotal() + late[0] + late[1] + late[2];
        }

        /** The pipeline side's record: the share back, the polls, and both after a poll back and after one late. */
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("back_share", round(backTotal() / polls()));
            m.put("polls", (long) polls());
            m.put("after_back", Map.of("back", (long) back[1], "polls", (long) (back[1] + late[1])));
            m.put("after_late", Map.of("back", (long) back[2], "polls", (long) (back[2] + late[2])));
            return m;
        }
    }

    /**
     * The host probe with the transport busy: the same batch, back to back, while requests pinned
     * to the lightest variant flow at {@code rps} (the trace's peak), before the first policy and
     * after each. Set beside the idle probe it gives what one request of transport costs a
     * running batch, contention included ({@link #transportMsPerRequest}): on two cores ONNX
     * Runtime's threads lose more to the transport's many short-lived threads than its CPU time
     * alone would take (5.6 to 9.7 ms of a core a request in 25 of 27 probes, where the
     * transport's own CPU was about 3 ms: docs/benchmarks/sim.md).
     */
    record LoadedProbe(String variant, int batch, int threads, double profileMs, double idleMs, double loadedMs, double rps,
            int cores, double executorShare) {
        /** A probe whose executors' share of the transport was not measured (NaN). */
        LoadedProbe(String variant, int batch, int threads, double profileMs, double idleMs, double loadedMs, double rps,
                int cores) {
            this(variant, batch, threads, profileMs, idleMs, loadedMs, rps, cores, Double.NaN);
        }

        /** {@link #transportMsPerRequest(double)} at the measured oversubscription penalty. */
        double transportMsPerRequest() {
            return transportMsPerRequest(dev.sluice.sim.SharedHost.MEASURED_OVERSUBSCRIPTION);
        }

        /**
         * The per-request cost that makes {@code SharedHost} slow the batch as much as the load
         * slowed it against the idle probe: the demand {@code threads + cost x rps} at which
         * {@code SharedHost.contention} equals {@code loaded / idle} (with no penalty, {@code
         * loaded / idle x cores = threads + cost x rps}; the idle probe's own slowness against the
         * profile is a factor apart, {@code SharedHost.aloneSlowdown}); 0 when the load did not
         * slow it.
         */
        double transportMsPerRequest(double oversubscription) {
            double demand = dev.sluice.sim.SharedHost.demandAt(cores, loadedMs / idleMs, oversubscription);
            return Math.max(0, demand - threads) * 1000 / rps;
        }

        /** The probe for a policy run between this probe and {@code after}: the means of the two. */
        LoadedProbe between(LoadedProbe after) {
            return new LoadedProbe(variant, batch, threads, profileMs, (idleMs + after.idleMs) / 2,
                    (loadedMs + after.loadedMs) / 2, rps, cores, (executorShare + after.executorShare) / 2);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("variant", variant);
            m.put("batch", batch);
            m.put("threads", threads);
            m.put("profile_p50_ms", profileMs);
            m.put("idle_ms", round(idleMs));
            m.put("loaded_ms", round(loadedMs));
            m.put("rps", rps);
            m.put("cores", cores);
            m.put("transport_ms_per_request", round(transportMsPerRequest()));
            if (Double.isFinite(executorShare)) {
                m.put("executor_share", Math.round(executorShare * 1e4) / 1e4);
            }
            return m;
        }

        static LoadedProbe fromJson(JsonNode n) {
            if (n.isMissingNode() || n.isNull()) {
                return null;
            }
            return new LoadedProbe(n.path("variant").asText(), n.path("batch").asInt(), n.path("threads").asInt(2),
                    n.path("profile_p50_ms").asDouble(), n.path("idle_ms").asDouble(), n.path("loaded_ms").asDouble(),
                    n.path("rps").asDouble(), n.path("cores").asInt(), n.path("executor_share").asDouble(Double.NaN));
        }
    }

    /** The thread the loaded probe's batches run on (its ONNX Runtime pool threads take its name). */
    static final String PROBE_THREAD = "validate-probe";

    /**
     * The executors' share of the transport's CPU, from the cores by thread group while the
     * loaded probe ran: the thread of the executor its load went to ({@code executorGroup}, the
     * light variant's) over every group but the probe's own ({@link #PROBE_THREAD}); NaN when
     * nothing else ran. The other executors' idle polling is not counted in the share: it runs
     * beside a batch whichever replica runs it.
     */
    static double executorShare(Map<String, Double> coresByGroup, String executorGroup) {
        double transport = 0;
        for (Map.Entry<String, Double> e : coresByGroup.entrySet()) {
            if (!e.getKey().equals(PROBE_THREAD)) {
                transport += e.getValue();
            }
        }
        return transport > 0 ? coresByGroup.getOrDefault(executorGroup, 0.0) / transport : Double.NaN;
    }

    /** ONNX Runtime intra-op threads of the pipeline side's executors, and of every host probe beside them. */
    static final int INTRA_OP_THREADS = 2;

    /** Seconds of load before the loaded probe starts, and of load in all. */
    static final double LOADED_PROBE_LEAD_S = 1.5;
    static final double LOADED_PROBE_LOAD_S = 5;
    /** How often the CPU by thread is sampled while a policy runs ({@link CpuTimeline}). */
    static final long CPU_SAMPLE_MS = 500;

    /** Requests of the hop measurement right before the policies, at {@link #HOP_RATE}/s. */
    static final int HOP_REQUESTS = 1000;
    static final double HOP_RATE = 50;

    private SimValidation() {}

    /** What {@code bench policies} would be run as, for the record. */
    static String benchCommand(List<String> policies, String trace, double durationS, long deadlineMs, List<Double> floors,
            long seed, double warmupS, double pauseS, String task, ClusterOptions cluster) {
        return String.format(Locale.ROOT, "./sluice bench policies --policies %s --trace %s --duration-s %s --deadline-ms %d "
                + "--min-accuracy %s --seed %d --warmup-s %s --pause-s %s --task %s --catalog %s --delivery %s "
                + "--commit-interval-ms %d", String.join(",", policies), trace, fmt(durationS), deadlineMs,
                String.join(",", floors.stream().map(SimValidation::fmt).toList()), seed, fmt(warmupS), fmt(pauseS), task,
                cluster.catalog, cluster.delivery, cluster.commitIntervalMs);
    }

    /**
     * Two heavy batches at once ({@link #concurrentProbe}): each variant's profile p50 at its full
     * batch and its batch time with the pipeline idle and beside {@code rps} of light load, with
     * the idle one-batch probe's factor ({@code alone}) at the time. It fits {@code SharedHost}'s
     * overlap parameters as the loaded probe fits the one-batch ones.
     */
    record PairProbe(double rps, int cores, double alone, List<String> variants, double[] profileMs, double[] idleMs,
            double[] loadedMs) {
        /** How many times its alone time (the factor times the profile) the pair's batches took, mean of the two. */
        private double slowdown(double[] ms) {
            double sum = 0;
            for (int i = 0; i < ms.length; i++) {
                sum += ms[i] / (profileMs[i] * alone);
            }
            return sum / ms.length;
        }

        /**
         * The penalty on fluid sharing that makes two idle batches as slow as measured (1 when their
         * threads fit the cores, or when they ran no slower than fluid sharing gives).
         */
        double overlapOversubscription(int threadsPerRun) {
            double demand = 2.0 * threadsPerRun;
            if (demand <= cores) {
                return 1;
            }
            return Math.max(1, slowdown(idleMs) / (demand / cores));
        }

        /** The transport's cost per request that makes two batches beside the load as slow as measured, at that penalty. */
        double overlapTransportMsPerRequest(int threadsPerRun) {
            double penalty = overlapOversubscription(threadsPerRun);
            double demand = dev.sluice.sim.SharedHost.demandAt(cores, slowdown(loadedMs), penalty);
            return Math.max(0, demand - 2.0 * threadsPerRun) * 1000 / rps;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rps", rps);
            m.put("cores", cores);
            m.put("alone_factor", round(alone));
            for (int i = 0; i < variants.size(); i++) {
                m.put(variants.get(i), Map.of("profile_p50_ms", profileMs[i], "idle_ms", round(idleMs[i]), "loaded_ms",
                        round(loadedMs[i])));
            }
            m.put("overlap_oversubscription", round4(overlapOversubscription(2)));
            m.put("overlap_transport_ms_per_request", round(overlapTransportMsPerRequest(2)));
            return m;
        }

        static PairProbe fromJson(JsonNode n) {
            if (n == null || n.isMissingNode() || !n.has("rps")) {
                return null;
            }
            List<String> ids = new java.util.ArrayList<>();
            n.fields().forEachRemaining(e -> {
                if (e.getValue().isObject() && e.getValue().has("idle_ms")) {
                    ids.add(e.getKey());
                }
            });
            if (ids.size() < 2) {
                return null; // written before the probe had this shape
            }
            double[] profile = ids.stream().mapToDouble(id -> n.path(id).path("profile_p50_ms").asDouble()).toArray();
            double[] idle = ids.stream().mapToDouble(id -> n.path(id).path("idle_ms").asDouble()).toArray();
            double[] loaded = ids.stream().mapToDouble(id -> n.path(id).path("loaded_ms").asDouble()).toArray();
            return new PairProbe(n.path("rps").asDouble(), n.path("cores").asInt(), n.path("alone_factor").asDouble(),
                    List.copyOf(ids), profile, idle, loaded);
        }
    }

    /** Runs {@code bench policies} in this process, with a host probe on each side, and writes its summary to {@code out}. */
    static PipelineSide run(ClusterOptions cluster, Catalog catalog, Variant heaviest, PolicyBenchmark.Config config, String command,
            Path out, Consumer<String> progress) throws Exception {
        boolean spoken = BenchMultimodalCommand.TASK.equals(config.task());
        LabelledSet test = spoken ? LabelledSet.spoken(SpokenFashionMnist.test()) : LabelledSet.images(FashionMnist.test());
        SluiceStack.Options o = new SluiceStack.Options(cluster.deliveryMode(), cluster.commitIntervalMs, "infaas", -1,
                Device.AUTO, INTRA_OP_THREADS, 1);
        progress.accept("pipeline: " + command);
        try (Metrics metrics = new Metrics();
             SluiceStack stack = SluiceStack.start(null, null, cluster.serdes(), catalog, cluster.catalogDir(), o,
                     metrics.registry);
             SluiceClient client = SluiceClient.connect(stack.kafka(), cluster.serdes());
             BatchSizes sizes = new BatchSizes(stack.kafka(), cluster.serdes())) {
            metrics.serve(cluster.metricsPort, stack.health()); // as bench policies does: the pipeline's meters while it runs
            progress.accept("pipeline metrics at " + metrics.url("/metrics"));
            // the policies one at a time (as bench policies runs them), the host probed between them: the neighbours'
            // load on a shared machine moves within minutes, and each policy is simulated beside what it met
            PolicyBenchmark bench = new PolicyBenchmark(client, test, metrics.registry);
            // warm before anything is measured: taken cold (before the first policy's warm-up), the first loaded probe's
            // batch was 9 to 24% slower than the median of the eight after it in each of runs v24 to v28, and fixed-high,
            // simulated beside the mean of it and the next, came out pessimistic (docs/benchmarks/sim.md)
            bench.warmUp(config, progress);
            // the hops beside the run: requests pinned to the lightest variant right before the policies
            Variant light = catalog.forTask(config.task()).stream().filter(Variant::isProfiled)
                    .min(java.util.Comparator.comparingDouble(v -> v.profile().p50Ms(1))).orElseThrow();
            double[] hopLoad = SimMeasureHopsCommand.loadAverage();
            List<RequestOutcome> pinned = hops(client, light, "before", progress);
            Path hopsFile = hopsFileOf(out, null);
            var pinnedSamples = SimMeasureHopsCommand.samples(pinned);
            writeHops(hopsFile, pinnedSamples, "Kafka hop latencies measured beside a sim --validate pipeline run: "
                    + HOP_REQUESTS + " requests at " + fmt(HOP_RATE) + " rps pinned to " + light.id() + " right before the "
                    + "policies (its batching delay, up to max_delay_ms, is in the task hop).", command, hopLoad);
            Map<String, Object> policyHops = new LinkedHashMap<>();
            Map<String, Object> busyHops = new LinkedHashMap<>();
            double busyAbove = busyThreshold(config.trace(), config.durationS());
            Map<String, Object> compute = new LinkedHashMap<>();
            Map<String, Object> busyBatches = new LinkedHashMap<>();
            double profileMs = heaviest.profile().p50Ms(heaviest.batching().maxBatch());
            double[] load = SimMeasureHopsCommand.loadAverage();
            double ms = probe(heaviest, cluster.catalogDir(), progress, profileMs, load);
            // each probe's requests have ids of their own: a request id seen before is not served again
            LoadedProbe loaded = loadedProbe(client, light, heaviest, cluster.catalogDir(), config.peakRate(), profileMs, ms,
                    "validate-loaded-first", progress);
            LoadedProbe firstLoaded = loaded;
            PairProbe pair = concurrentProbe(client, light, catalog, config.task(), cluster.catalogDir(),
                    config.peakRate(), ms, loaded, progress);
            Map<String, PolicyResult> results = new LinkedHashMap<>();
            Map<String, Object> probes = new LinkedHashMap<>();
            StringBuilder requests = new StringBuilder(dev.sluice.bench.OutcomesCsv.HEADER).append('\n');
            Map<String, Object> busyCores = new LinkedHashMap<>();
            Map<String, Object> statusAges = new LinkedHashMap<>();
            Map<String, Object> prefetches = new LinkedHashMap<>();
            Map<String, Object> turnGaps = new LinkedHashMap<>();
            Map<String, Object> hopWorsts = new LinkedHashMap<>();
            for (String policy : config.policies()) {
                PolicyBenchmark.Config one = new PolicyBenchmark.Config(List.of(policy), config.traceName(), config.trace(),
                        config.peakRate(), config.durationS(), config.deadlineMs(), config.floors(), config.seed(),
                        config.pauseS(), 0, config.task(), 1);
                List<List<RequestOutcome>> seen = new java.util.ArrayList<>();
                // where the cores went, and how often the Streams stages committed, read for the busy seconds below
                CpuTimeline cpu = CpuTimeline.start(CPU_SAMPLE_MS, () -> streamsCommits(metrics.registry));
                double[] age0 = statusAge(metrics.registry);
                FetchPolls fetch0 = prefetchNextPolls(metrics.registry);
                double[] gap0 = turnGaps(metrics.registry);
                try {
                    results.putAll(bench.run(one, progress, (name, outcomes) -> seen.add(outcomes)).policies());
                } finally {
                    cpu.close();
                }
                double[] age1 = statusAge(metrics.registry);
                FetchPolls fetches = prefetchNextPolls(metrics.registry).minus(fetch0);
                double[] gap1 = turnGaps(metrics.registry);
                if (gap1[0] > gap0[0]) {
                    double mean = (gap1[1] - gap0[1]) / (gap1[0] - gap0[0]);
                    turnGaps.put(policy, Map.of("mean_ms", round(mean), "turns", (long) (gap1[0] - gap0[0])));
                    progress.accept(String.format(Locale.ROOT, "%s: with a full batch waiting, %.2f ms on average from one "
                            + "batch's model run to the next (%d turns): the executor loop's own work", policy, mean,
                            (long) (gap1[0] - gap0[0])));
                }
                if (fetches.polls() > 0) {
                    Map<String, Object> f = fetches.toJson();
                    prefetches.put(policy, f);
                    progress.accept(String.format(Locale.ROOT, "%s: with a full batch waiting, the fetch sent right after a "
                            + "long batch was back by the next poll %.0f%% of the time (%d polls; after one back %s, after "
                            + "one late %s): the rest of what arrived during a batch waited through the next one", policy,
                            100 * fetches.backTotal() / fetches.polls(), (long) fetches.polls(), f.get("after_back"),
                            f.get("after_late")));
                }
                if (age1[0] > age0[0]) {
                    double mean = (age1[1] - age0[1]) / (age1[0] - age0[0]);
                    statusAges.put(policy, Map.of("mean_ms", round(mean), "statuses", (long) (age1[0] - age0[0])));
                    progress.accept(String.format(Locale.ROOT, "%s: executor statuses reached the selectors' load views %.1f ms "
                            + "after they were taken, on average (%d statuses)", policy, mean, (long) (age1[0] - age0[0])));
                }
                double[] loadAfter = SimMeasureHopsCommand.loadAverage();
                compute.put(policy, computeByVariant(seen.get(0)));
                requests.append(dev.sluice.bench.OutcomesCsv.rows(policy, seen.get(0)));
                List<RequestOutcome> own = seen.get(0);
                TransportStall.Worst hopWorst = TransportStall.of(own);
                if (hopWorst != null) {
                    hopWorsts.put(policy, Map.of("median_ms", round(hopWorst.medianMs()), "second", hopWorst.second()));
                    if (hopWorst.stalled()) {
                        progress.accept(String.format(Locale.ROOT, "WARNING: %s: the transport stalled (the requests sent in "
                                + "second %d waited %.0f ms for the request hop at the median, over the %.0f ms that marks a "
                                + "stall): its row does not measure the simulator", policy, hopWorst.second(),
                                hopWorst.medianMs(), TransportStall.STALL_MS));
                    }
                }
                Map<Boolean, List<RequestOutcome>> split = busyAbove > 0 ? byBusy(own, config.trace(), busyAbove)
                        : Map.of(true, List.of(), false, own);
                List<RequestOutcome> busy = split.get(true);
                List<RequestOutcome> quiet = split.get(false);
                Map<String, Object> batchesBusy = new LinkedHashMap<>();
                MeasuredSpeed.ofOutcomes(busy.isEmpty() ? own : busy).forEach((v, b) -> batchesBusy.put(v, b.toJson()));
                busyBatches.put(policy, batchesBusy);
                Map<String, Object> cores = coresWhileBusy(policy, cpu, busy.isEmpty() ? own : busy,
                        progress);
                if (cores != null) {
                    busyCores.put(policy, cores);
                }
                // the busy seconds' hops apart, when there are enough of them (else all together)
                Path pb = busy.isEmpty() ? null : policyHops(out, policy, "busy", busy, pinnedSamples, command, load, progress);
                Path ph = policyHops(out, policy, pb == null ? null : "quiet", pb == null ? own : quiet, pinnedSamples, command,
                        load, progress);
                if (ph != null) {
                    policyHops.put(policy, ph.toString());
                    if (pb != null) {
                        busyHops.put(policy, pb.toString());
                    }
                }
                double after = probe(heaviest, cluster.catalogDir(), progress, profileMs, loadAfter);
                LoadedProbe loadedAfter = loadedProbe(client, light, heaviest, cluster.catalogDir(), config.peakRate(),
                        profileMs, after, "validate-loaded-after-" + policy, progress);
                HostProbe p = new HostProbe(heaviest.id(), heaviest.batching().maxBatch(), INTRA_OP_THREADS, profileMs, ms,
                        after, load, loadAfter, loaded.between(loadedAfter));
                probes.put(policy, p.toJson(Runtime.getRuntime().availableProcessors()));
                ms = after;
                load = loadAfter;
                loaded = loadedAfter;
            }
            progress.accept("hops beside the run written to " + hopsFile.toAbsolutePath() + " and, per policy, " + policyHops);
            System.out.println();
            System.out.print(PolicyBenchmark.table(results));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("command", command);
            json.put("measured_at", Instant.now().toString());
            json.put("task", config.task());
            json.put("trace", config.traceName());
            json.put("duration_s", config.durationS());
            json.put("deadline_ms", config.deadlineMs());
            json.put("seed", config.seed());
            json.put("probe_variant", heaviest.id());
            json.put("peak_offered_rps", config.peakRate());
            json.put("delivery_mode", cluster.deliveryMode().cliName());
            json.put("host_probes", probes);
            json.put("loaded_probe", firstLoaded.toJson());
            if (pair != null) {
                json.put("concurrent_probe", pair.toJson());
            }
            json.put("hops_file", hopsFile.toString());
            json.put("policy_hops_files", policyHops);
            if (!busyHops.isEmpty()) {
                json.put("busy_hops_above_rps", busyAbove);
                json.put("policy_busy_hops_files", busyHops);
            }
            json.put("batch_compute_ms_by_variant", compute);
            json.put("batch_ms_busy_by_variant", busyBatches);
            json.put("cores_by_thread_group_busy", busyCores);
            json.put("status_age_ms_by_policy", statusAges);
            json.put("prefetch_back_by_policy", prefetches);
            json.put("turn_gap_ms_by_policy", turnGaps);
            json.put("request_hop_worst_second_by_policy", hopWorsts);
            json.put("batch_size_mean_by_variant", sizes.meanByPolicy());
            json.put("policies", results);
            Path requestsCsv = requestsCsvOf(out);
            java.nio.file.Files.writeString(requestsCsv, requests);
            json.put("requests_csv", requestsCsv.toString());
            SummaryJson.write(out, json);
            progress.accept("pipeline summary written to " + out.toAbsolutePath());
            return read(out);
        }
    }

    private static List<RequestOutcome> hops(SluiceClient client, Variant light, String when,
            Consumer<String> progress) {
        progress.accept(String.format(Locale.ROOT, "hops %s the policies: %d requests at %.0f rps, each to %s", when,
                HOP_REQUESTS, HOP_RATE, light.id()));
        return new dev.sluice.ingest.load.LoadRunner(client, FashionMnist.test()).run(new dev.sluice.ingest.load.LoadRunner.Options(
                HOP_REQUESTS, RateTrace.steady(HOP_RATE), 10_000, List.of(0.0), "fixed:" + light.id(), "fashion-mnist", 10_000,
                7L, HOP_RATE, false), "validate-hops-" + when, line -> {});
    }

    /**
     * What a batch took in the pipeline, by variant (p50, p90 and count over the requests a single
     * variant answered OK): set beside the profile times the host probe to see whether the shared
     * host model's batch times are the pipeline's.
     */
    static Map<String, Object> computeByVariant(List<RequestOutcome> outcomes) {
        Map<String, Object> m = new LinkedHashMap<>();
        MeasuredSpeed.computeMsBySingleVariant(outcomes).forEach((v, xs) -> {
            double[] q = SimMeasureHopsCommand.quantiles(xs, 11);
            m.put(v, Map.of("p50", round(q[5]), "p90", round(q[9]), "n", xs.size()));
        });
        return m;
    }

    /** {@code PIPELINE.hops}, or {@code PIPELINE-POLICY.hops}, beside the pipeline summary. */
    static Path hopsFileOf(Path pipelineJson, String policy) {
        return beside(pipelineJson, (policy == null ? "" : "-" + policy.replaceAll("[^A-Za-z0-9_.-]", "_")) + ".hops");
    }

    /** {@code NAME + suffix} in the folder of {@code NAME.json}. */
    private static Path beside(Path summary, String suffix) {
        return summary.resolveSibling(summary.getFileName().toString().replaceFirst("\\.json$", "") + suffix);
    }

    /**
     * The offered rate above which the trace is busy, halfway between its lowest and highest over
     * the run (sampled every 0.1 s); 0 when it varies by less than half (a steady trace: no split).
     */
    static double busyThreshold(RateTrace trace, double durationS) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double t = 0; t < durationS; t += 0.1) {
            double r = trace.rateAt(t);
            lo = Math.min(lo, r);
            hi = Math.max(hi, r);
        }
        return hi > 1.5 * lo ? (lo + hi) / 2 : 0;
    }

    /**
     * Where the cores went while {@code window}'s requests were sent (a policy's busy seconds, or
     * its whole run on a steady trace), by thread group, and the CPU per request sent then: the
     * policies differ in how many executors and Kafka clients share the cores at the same rate.
     * Null when the sampler had too few samples in the window.
     */
    private static Map<String, Object> coresWhileBusy(String policy, CpuTimeline cpu, List<RequestOutcome> window,
            Consumer<String> progress) {
        if (window.isEmpty()) {
            return null;
        }
        long from = window.stream().mapToLong(RequestOutcome::sentAtMs).min().orElseThrow();
        long to = window.stream().mapToLong(RequestOutcome::sentAtMs).max().orElseThrow();
        CpuTimeline.Window w = cpu.window(from, to, 0.02);
        if (w == null) {
            return null;
        }
        long sent = window.stream().filter(o -> o.sentAtMs() >= w.fromMs() && o.sentAtMs() <= w.toMs()).count();
        double rps = sent / w.seconds();
        double cpuMsPerRequest = rps > 0 ? w.totalCores() * 1000 / rps : Double.NaN;
        double selectorCommits = w.ratesPerSecond().getOrDefault(SELECTOR, 0.0);
        double aggregatorCommits = w.ratesPerSecond().getOrDefault(AGGREGATOR, 0.0);
        progress.accept(String.format(Locale.ROOT, "%s: cores by thread group over %.0f s of its busy seconds (%.0f rps sent): "
                + "%s; %.2f cores in all, %.2f ms of CPU per request; Streams commits: selector %.1f/s, aggregator %.1f/s",
                policy, w.seconds(), rps, w.coresByGroup(), w.totalCores(), cpuMsPerRequest, selectorCommits,
                aggregatorCommits));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window_s", round(w.seconds()));
        m.put("sent_rps", round(rps));
        m.put("total_cores", round(w.totalCores()));
        m.put("cpu_ms_per_request", round(cpuMsPerRequest));
        m.put("cores", w.coresByGroup());
        m.put("selector_commits_per_s", round(selectorCommits));
        m.put("aggregator_commits_per_s", round(aggregatorCommits));
        return m;
    }

    /** Every selector's {@code sluice.selector.status.age} so far: statuses applied, and their ages summed (ms). */
    static double[] statusAge(io.micrometer.core.instrument.MeterRegistry registry) {
        double n = 0;
        double ms = 0;
        for (io.micrometer.core.instrument.Timer t : registry.find("sluice.selector.status.age").timers()) {
            n += t.count();
            ms += t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return new double[] {n, ms};
    }

    /** Every executor's {@code sluice.executor.turn.gap} so far: {turns, total ms}. */
    static double[] turnGaps(io.micrometer.core.instrument.MeterRegistry registry) {
        double n = 0;
        double ms = 0;
        for (io.micrometer.core.instrument.DistributionSummary d : registry.find("sluice.executor.turn.gap").summaries()) {
            n += d.count();
            ms += d.totalAmount();
        }
        return new double[] {n, ms};
    }

    /** Every executor's {@code sluice.executor.prefetch.next.polls} so far ({@link FetchPolls}). */
    static FetchPolls prefetchNextPolls(io.micrometer.core.instrument.MeterRegistry registry) {
        double[] back = new double[3];
        double[] late = new double[3];
        for (io.micrometer.core.instrument.Counter c : registry.find("sluice.executor.prefetch.next.polls").counters()) {
            int previous = java.util.Arrays.asList(FetchPolls.PREVIOUS).indexOf(c.getId().getTag("previous"));
            (("back".equals(c.getId().getTag("fetch"))) ? back : late)[Math.max(0, previous)] += c.count();
        }
        return new FetchPolls(back, late);
    }

    private static final String SELECTOR = "selector";
    private static final String AGGREGATOR = "aggregator";

    /**
     * The Streams stages' commits so far ({@code kafka.stream.thread.commit.total} of every stream
     * thread, by whether its thread id names the selector or the aggregator): under exactly-once
     * what a stage wrote becomes visible to read-committed consumers at its commits, so their period
     * is when tasks reach the executors.
     */
    static Map<String, Double> streamsCommits(io.micrometer.core.instrument.MeterRegistry registry) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(SELECTOR, 0.0);
        m.put(AGGREGATOR, 0.0);
        for (io.micrometer.core.instrument.Meter meter : registry.find("kafka.stream.thread.commit.total").meters()) {
            String tags = meter.getId().getTags().toString();
            String stage = tags.contains("sluice-selector") ? SELECTOR : tags.contains("sluice-aggregator") ? AGGREGATOR : null;
            if (stage != null) {
                for (io.micrometer.core.instrument.Measurement x : meter.measure()) {
                    if (Double.isFinite(x.getValue())) {
                        m.merge(stage, x.getValue(), Double::sum);
                    }
                }
            }
        }
        return m;
    }

    /** The requests sent while the trace's rate was above {@code aboveRps} (times from the run's first request). */
    static List<RequestOutcome> inBusySeconds(List<RequestOutcome> outcomes, RateTrace trace, double aboveRps) {
        return byBusy(outcomes, trace, aboveRps).get(true);
    }

    /** {@code outcomes} split by whether the trace's rate was above {@code aboveRps} when each was sent (true: busy). */
    private static Map<Boolean, List<RequestOutcome>> byBusy(List<RequestOutcome> outcomes, RateTrace trace, double aboveRps) {
        long t0 = outcomes.stream().mapToLong(RequestOutcome::sentAtMs).min().orElse(0);
        return outcomes.stream().collect(Collectors.partitioningBy(o -> trace.rateAt((o.sentAtMs() - t0) / 1000.0) > aboveRps));
    }

    /**
     * The transport as this policy's own requests met it: the request hop (ingest + select), the
     * output hop (aggregate) and the result hop from each of its requests answered OK; the task
     * hop from the pinned measurement (a policy's queue stage holds its executors' queueing,
     * which the simulator models itself). The neighbours' load on a shared machine moves the
     * transport's tails from one minute to the next, so each policy is simulated with the hops it
     * met. Null (and the pinned file used) when fewer than 100 of its requests were answered OK.
     * {@code seconds}: null for all of the run's requests, "busy" or "quiet" for those sent while
     * the trace's rate was above or below {@link #busyThreshold} (the transport's queues, and so
     * its hops, grow with the load: written to {@code PIPELINE-POLICY-busy.hops} and
     * {@code PIPELINE-POLICY.hops}).
     */
    private static Path policyHops(Path out, String policy, String seconds, List<RequestOutcome> outcomes,
            Map<dev.sluice.sim.hops.HopLatencies.Hop, List<Double>> pinned, String command, double[] load,
            Consumer<String> progress) throws IOException {
        Map<dev.sluice.sim.hops.HopLatencies.Hop, List<Double>> own;
        try {
            own = new java.util.EnumMap<>(SimMeasureHopsCommand.samples(outcomes));
        } catch (IllegalStateException e) {
            progress.accept(policy + (seconds == null ? "" : " (" + seconds + " seconds)") + ": " + e.getMessage()
                    + "; simulated with the pinned hops");
            return null;
        }
        own.put(dev.sluice.sim.hops.HopLatencies.Hop.TASK, pinned.get(dev.sluice.sim.hops.HopLatencies.Hop.TASK));
        Path f = "busy".equals(seconds) ? hopsFileOf(out, policy + "-busy") : hopsFileOf(out, policy);
        writeHops(f, own, "Kafka hop latencies as " + policy + "'s own requests met them in a sim --validate pipeline run "
                + "(request, output, result: its requests answered OK" + (seconds == null ? "" : ", sent in the trace's "
                + seconds + " seconds") + "; task: the pinned measurement before the policies).", command, load);
        return f;
    }

    private static void writeHops(Path file, Map<dev.sluice.sim.hops.HopLatencies.Hop, List<Double>> samples, String title,
            String command, double[] load) throws IOException {
        var measured = SimMeasureHopsCommand.measured(samples, 41);
        List<String> header = new java.util.ArrayList<>();
        header.add(title);
        header.add("command: sim --validate, pipeline " + command);
        header.add("measured: " + Instant.now());
        header.add(String.format(Locale.ROOT, "load average: %.2f %.2f %.2f when it began", load[0], load[1], load[2]));
        header.addAll(SimMeasureHopsCommand.summary(measured));
        java.nio.file.Files.writeString(file, dev.sluice.sim.hops.HopLatencies.format(measured, SimMeasureHopsCommand.ALIASES,
                header));
    }

    /** Requests pinned to {@code light} at {@code rps} for {@link #LOADED_PROBE_LOAD_S}, sent on a thread of their own. */
    private record PinnedLoad(Thread thread, AtomicReference<List<RequestOutcome>> outcomes, int requests) {
        static PinnedLoad start(SluiceClient client, Variant light, double rps, long seed, String runId) {
            int n = (int) Math.round(rps * LOADED_PROBE_LOAD_S);
            AtomicReference<List<RequestOutcome>> outcomes = new AtomicReference<>(List.of());
            Thread t = new Thread(() -> outcomes.set(new dev.sluice.ingest.load.LoadRunner(client, FashionMnist.test()).run(
                    new dev.sluice.ingest.load.LoadRunner.Options(n, RateTrace.steady(rps), 10_000, List.of(0.0),
                            "fixed:" + light.id(), "fashion-mnist", 10_000, seed, rps, false), runId, line -> {})),
                    "validate-load");
            t.start();
            return new PinnedLoad(t, outcomes, n);
        }

        /** Waits for the last request; how many were answered in time, with a warning when under 90% were. */
        long finish(Consumer<String> progress) throws InterruptedException {
            thread.join();
            long ok = outcomes.get().stream().filter(RequestOutcome::onTime).count();
            if (ok < 0.9 * requests) {
                progress.accept("WARNING: the probe's load was not served as sent (" + ok + " of " + requests
                        + " answered in time): its transport cost is understated");
            }
            return ok;
        }
    }

    /**
     * The loaded probe: requests pinned to {@code light} at {@code rps} for
     * {@link #LOADED_PROBE_LOAD_S}, the probe run {@link #LOADED_PROBE_LEAD_S} into it.
     */
    private static LoadedProbe loadedProbe(SluiceClient client, Variant light, Variant heavy, Path catalogDir, double rps,
            double profileMs, double idleMs, String runId, Consumer<String> progress) throws InterruptedException {
        PinnedLoad load = PinnedLoad.start(client, light, rps, 11L, runId);
        int n = load.requests();
        progress.accept(String.format(Locale.ROOT, "loaded host probe: %d requests at %.0f rps pinned to %s, the probe beside "
                + "them", n, rps, light.id()));
        Thread.sleep((long) (LOADED_PROBE_LEAD_S * 1000));
        var cpu0 = ThreadCpu.snapshot();
        long t0 = System.nanoTime();
        AtomicReference<OrtThroughput.Result> result = new AtomicReference<>();
        Thread probe = new Thread(() -> result.set(fullBatches(heavy, catalogDir)), PROBE_THREAD);
        probe.start();
        probe.join();
        OrtThroughput.Result r = result.get();
        if (r == null) {
            throw new IllegalStateException("the loaded host probe's thread ended without a measurement (see its exception "
                    + "above)");
        }
        // where the cores went while it ran (the window includes the probe's model load and warm-up)
        var cpu1 = ThreadCpu.snapshot();
        double seconds = (System.nanoTime() - t0) / 1e9;
        progress.accept("loaded host probe: cores by thread group " + ThreadCpu.coresByGroup(cpu0, cpu1, seconds, 0.02));
        double share = executorShare(ThreadCpu.coresByGroup(cpu0, cpu1, seconds, 0),
                ThreadCpu.groupOfThread("executor-" + light.id()));
        long ok = load.finish(progress);
        double ms = r.msPerBatch();
        LoadedProbe p = new LoadedProbe(heavy.id(), r.batch(), INTRA_OP_THREADS, profileMs, idleMs, ms, rps,
                Runtime.getRuntime().availableProcessors(), share);
        progress.accept(String.format(Locale.ROOT, "loaded host probe: %s batch of %d in %.2f ms beside %.0f rps (idle %.2f ms): "
                + "%.2f ms of transport per request, contention included, %.3f of it in the executors' loops; the load's "
                + "requests answered in time: %d of %d", heavy.id(), r.batch(), ms, rps, idleMs, p.transportMsPerRequest(),
                share, ok, n));
        return p;
    }

    /**
     * Two heavy batches at once: the two heaviest variants' full batches back to back on two
     * threads for 2 s, with the pipeline idle and again beside the peak rate of requests pinned to
     * {@code light}, each set beside what the simulator's {@code SharedHost} gives them (the idle
     * probe's factor, and the transport's cost {@code fitted} on one batch, at the measured
     * oversubscription). The loaded probe fits the host model with one batch running; this says
     * whether it holds when batches overlap, as they do under policies that mix heavy variants.
     * Printed, and in the pipeline JSON as {@code concurrent_probe}; null when the task has fewer
     * than two profiled variants.
     */
    private static PairProbe concurrentProbe(SluiceClient client, Variant light, Catalog catalog, String task,
            Path catalogDir, double rps, double idleOneMs, LoadedProbe fitted, Consumer<String> progress)
            throws InterruptedException {
        List<Variant> heavy = catalog.forTask(task).stream().filter(Variant::isProfiled)
                .sorted(java.util.Comparator.comparingDouble((Variant v) -> v.profile().p50Ms(v.batching().maxBatch())).reversed())
                .limit(2).toList();
        if (heavy.size() < 2) {
            return null;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double penalty = dev.sluice.sim.SharedHost.MEASURED_OVERSUBSCRIPTION;
        double alone = Math.max(1, idleOneMs / fitted.profileMs());
        double transport = fitted.transportMsPerRequest(penalty);
        double[] profile = heavy.stream().mapToDouble(v -> v.profile().p50Ms(v.batching().maxBatch())).toArray();
        double[][] ms = new double[2][];
        for (int side = 0; side < 2; side++) {
            boolean loaded = side == 1;
            PinnedLoad load = null;
            if (loaded) {
                load = PinnedLoad.start(client, light, rps, 13L, "validate-pair-loaded");
                Thread.sleep((long) (LOADED_PROBE_LEAD_S * 1000));
            }
            AtomicReference<OrtThroughput.Result> other = new AtomicReference<>();
            Thread second = new Thread(() -> other.set(fullBatches(heavy.get(1), catalogDir)), "validate-pair");
            second.start();
            OrtThroughput.Result first = fullBatches(heavy.get(0), catalogDir);
            second.join();
            if (other.get() == null) {
                throw new IllegalStateException("the two-batch probe's " + heavy.get(1).id() + " thread ended without a "
                        + "measurement (see its exception above)");
            }
            if (load != null) {
                load.finish(progress);
            }
            ms[side] = new double[] {first.msPerBatch(), other.get().msPerBatch()};
            // what the one-batch fit alone would give them
            double factor = alone * dev.sluice.sim.SharedHost.contention(cores,
                    2 * INTRA_OP_THREADS + (loaded ? transport * rps / 1000 : 0), penalty);
            progress.accept(String.format(Locale.ROOT, "two batches at once, %s: %s full batch %.2f ms, %s %.2f ms (the "
                    + "one-batch fit gives %.2f and %.2f)", loaded ? String.format(Locale.ROOT, "beside %.0f rps", rps)
                    : "pipeline idle", heavy.get(0).id(), ms[side][0], heavy.get(1).id(), ms[side][1], profile[0] * factor,
                    profile[1] * factor));
        }
        PairProbe p = new PairProbe(rps, cores, alone, heavy.stream().map(Variant::id).toList(), profile, ms[0], ms[1]);
        progress.accept(String.format(Locale.ROOT, "two batches at once: with batches overlapping the host model charges "
                + "%.2fx fluid sharing and %.2f ms of transport per request (one batch: %.2fx, %.2f ms)",
                p.overlapOversubscription(2), p.overlapTransportMsPerRequest(2), penalty, transport));
        return p;
    }

    /**
     * Full batches of {@code v} back to back on raw ONNX Runtime for 2 s (after 0.5 s of warm-up), with the
     * executors' thread count: what every host probe runs.
     */
    private static OrtThroughput.Result fullBatches(Variant v, Path catalogDir) {
        return OrtThroughput.measure(v, catalogDir, Device.AUTO, INTRA_OP_THREADS, FashionMnist.test(), 0.5, 2.0);
    }

    /** ms per full batch of {@code v}, raw ONNX Runtime back to back for 2 s, the pipeline idle. */
    private static double probe(Variant v, Path catalogDir, Consumer<String> progress, double profileMs, double[] load) {
        OrtThroughput.Result r = fullBatches(v, catalogDir);
        double ms = r.msPerBatch();
        progress.accept(String.format(Locale.ROOT, "host probe: %s batch of %d in %.2f ms, %.2fx its profile p50 (%.2f ms); "
                + "load average %.2f", v.id(), r.batch(), ms, ms / profileMs, profileMs, load[0]));
        return ms;
    }

    /** Where the pipeline side's requests go, one row each: beside its summary, {@code NAME-requests.csv}. */
    static Path requestsCsvOf(Path summary) {
        return beside(summary, "-requests.csv");
    }

    /** name -> path of the files named in {@code node} that exist. */
    private static Map<String, Path> existingFiles(JsonNode node) {
        Map<String, Path> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            Path p = Path.of(e.getValue().asText());
            if (java.nio.file.Files.isRegularFile(p)) {
                out.put(e.getKey(), p);
            }
        });
        return out;
    }

    /** A {@code bench policies --summary-json} file (or one this class wrote). */
    static PipelineSide read(Path file) {
        try {
            JsonNode root = SummaryJson.MAPPER.readTree(file.toFile());
            Map<String, JsonNode> ps = new LinkedHashMap<>();
            root.path("policies").fields().forEachRemaining(e -> ps.put(e.getKey(), e.getValue()));
            if (ps.isEmpty()) {
                throw new IllegalArgumentException(file + ": no 'policies' in it (a bench policies --summary-json file?)");
            }
            Map<String, HostProbe> probes = new LinkedHashMap<>();
            root.path("host_probes").fields().forEachRemaining(e -> probes.put(e.getKey(), HostProbe.fromJson(e.getValue())));
            Path hops = root.has("hops_file") ? Path.of(root.get("hops_file").asText()) : null;
            Map<String, Path> policyHops = existingFiles(root.path("policy_hops_files"));
            Map<String, Path> busyHops = existingFiles(root.path("policy_busy_hops_files"));
            Path csv = root.path("requests_csv").isTextual() ? Path.of(root.get("requests_csv").asText()) : null;
            return new PipelineSide(ps, probes, root.path("command").asText(file.toString()),
                    hops != null && java.nio.file.Files.isRegularFile(hops) ? hops : null, policyHops,
                    root.path("batch_compute_ms_by_variant"), root.path("batch_size_mean_by_variant"),
                    LoadedProbe.fromJson(root.path("loaded_probe")), busyHops, root.path("busy_hops_above_rps").asDouble(0),
                    PairProbe.fromJson(root.path("concurrent_probe")), root.path("cores_by_thread_group_busy"),
                    root.path("status_age_ms_by_policy"), root.path("prefetch_back_by_policy"), root.path("batch_ms_busy_by_variant"),
                    csv != null && java.nio.file.Files.isRegularFile(csv) ? csv : null, root.path("turn_gap_ms_by_policy"),
                    requestHopWorsts(root.path("request_hop_worst_second_by_policy"), csv));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Each policy's slowest request-hop second ({@link TransportStall}): as the side recorded it,
     * else from its requests file (read once, every policy) where that is still at hand, else none.
     */
    private static Map<String, TransportStall.Worst> requestHopWorsts(JsonNode recorded, Path csv) {
        if (recorded.isObject() && !recorded.isEmpty()) {
            Map<String, TransportStall.Worst> out = new LinkedHashMap<>();
            recorded.fields().forEachRemaining(e -> out.put(e.getKey(), new TransportStall.Worst(
                    e.getValue().path("median_ms").asDouble(), e.getValue().path("second").asLong())));
            return out;
        }
        return csv != null && java.nio.file.Files.isRegularFile(csv) ? TransportStall.ofRequestsCsv(csv) : Map.of();
    }

    /** The side-by-side rows, by policy: the four fields, the differences, and whether both are within tolerance. */
    static Map<String, Map<String, Object>> compare(PipelineSide pipeline, Map<String, PolicySummary> sim) {
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        sim.forEach((policy, s) -> {
            JsonNode p = pipeline.policies().get(policy);
            if (p == null) {
                return;
            }
            RowValues v = RowValues.of(p, s);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sim_slo", round4(v.simSlo));
            m.put("pipeline_slo", round4(v.pipeSlo));
            m.put("sim_effective_accuracy", round4(v.simAcc));
            m.put("pipeline_effective_accuracy", round4(v.pipeAcc));
            m.put("slo_difference", round4(v.simSlo - v.pipeSlo));
            m.put("effective_accuracy_difference_points", round(100 * (v.simAcc - v.pipeAcc)));
            m.put("within", v.within());
            TransportStall.Worst hop = pipeline.requestHopWorst(policy);
            if (hop != null) {
                m.put("transport_stalled", hop.stalled());
                m.put("request_hop_worst_second_ms", round(hop.medianMs()));
            }
            m.put("sim_slo_ci95", round4(s.slo().ci95()));
            m.put("sim_effective_accuracy_ci95", round4(s.effectiveAccuracy().ci95()));
            m.put("sim_latency_ms", Map.of("p50", round(s.p50().mean()), "p99", round(s.p99().mean())));
            m.put("pipeline_latency_ms", Map.of("p50", p.path("latency_ms").path("p50").asDouble(),
                    "p99", p.path("latency_ms").path("p99").asDouble()));
            m.put("sim_variant_mix", s.mix());
            m.put("sim_batch_compute_ms_p50", s.runs().get(0).batchComputeMsP50());
            JsonNode pc = pipeline.computeByVariant().path(policy);
            if (!pc.isMissingNode()) {
                Map<String, Double> pm = new java.util.TreeMap<>();
                pc.fields().forEachRemaining(e -> pm.put(e.getKey(), e.getValue().path("p50").asDouble()));
                m.put("pipeline_batch_compute_ms_p50", pm);
            }
            m.put("pipeline_variant_mix", SummaryJson.MAPPER.convertValue(p.path("variant_mix"), Map.class));
            rows.put(policy, m);
        });
        return rows;
    }

    private record RowValues(double pipeSlo, double simSlo, double pipeAcc, double simAcc) {
        static RowValues of(JsonNode p, PolicySummary s) {
            return new RowValues(p.path("slo_attainment").asDouble(Double.NaN), s.slo().mean(),
                    p.path("effective_accuracy").asDouble(Double.NaN), s.effectiveAccuracy().mean());
        }

        boolean within() {
            return withinTolerance(simSlo - pipeSlo, simAcc - pipeAcc);
        }
    }

    /** Whether an SLO difference and an effective-accuracy difference (both as fractions) are within the tolerance. */
    static boolean withinTolerance(double sloDifference, double accuracyDifference) {
        return Math.abs(sloDifference) <= SLO_TOLERANCE + 1e-9 && Math.abs(accuracyDifference) <= ACCURACY_TOLERANCE + 1e-9;
    }

    static String table(PipelineSide pipeline, Map<String, PolicySummary> sim) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-15s %9s %9s %8s %9s %9s %8s %-7s %15s %15s%n",
                "policy", "pipe slo", "sim slo", "diff", "pipe acc", "sim acc", "diff pt", "within", "pipe p50/p99",
                "sim p50/p99"));
        sim.forEach((policy, s) -> {
            JsonNode p = pipeline.policies().get(policy);
            if (p == null) {
                b.append(String.format(Locale.ROOT, "%-15s (not in the pipeline's results)%n", policy));
                return;
            }
            RowValues v = RowValues.of(p, s);
            b.append(String.format(Locale.ROOT, "%-15s %9.4f %9.4f %+8.4f %9.4f %9.4f %+8.2f %-7s %15s %15s%n", policy,
                    v.pipeSlo, v.simSlo, v.simSlo - v.pipeSlo, v.pipeAcc, v.simAcc, 100 * (v.simAcc - v.pipeAcc),
                    v.within() ? "yes" : "NO", String.format(Locale.ROOT, "%.0f/%.0f", p.path("latency_ms").path("p50").asDouble(),
                            p.path("latency_ms").path("p99").asDouble()),
                    String.format(Locale.ROOT, "%.0f/%.0f", s.p50().mean(), s.p99().mean())));
        });
        return b.toString();
    }

    /**
     * One line per policy whose transport stalled in the pipeline run ({@link TransportStall}):
     * the comparison assumes a transport that is not saturated, so such a row says what
     * the host did, not how good the simulator is. Empty when none stalled.
     */
    static String stallNotes(PipelineSide pipeline, Map<String, PolicySummary> sim) {
        StringBuilder b = new StringBuilder();
        sim.keySet().forEach(policy -> {
            TransportStall.Worst w = pipeline.policies().containsKey(policy) ? pipeline.requestHopWorst(policy) : null;
            if (w != null && w.stalled()) {
                b.append(String.format(Locale.ROOT, "%s: the pipeline's transport stalled (requests sent in second %d waited "
                        + "%.0f ms for the request hop at the median, over %.0f): the comparison assumes a transport that is "
                        + "not saturated; validation-summary sets this row aside%n", policy, w.second(), w.medianMs(),
                        TransportStall.STALL_MS));
            }
        });
        return b.toString();
    }

    /** "policy x1.23, ...": the batch speed factors of the comparison at the pipeline's speed. */
    static String factors(Map<String, Double> byPolicy) {
        StringBuilder b = new StringBuilder();
        byPolicy.forEach((p, f) -> b.append(b.length() == 0 ? "" : ", ").append(Double.isNaN(f) ? p + " -"
                : String.format(Locale.ROOT, "%s x%.3f", p, f)));
        return b.toString();
    }

    /** Each policy's median batch time by variant, pipeline against simulator (first seed), where the pipeline has them. */
    static String computeTable(PipelineSide pipeline, Map<String, PolicySummary> sim) {
        StringBuilder b = new StringBuilder();
        sim.forEach((policy, s) -> {
            JsonNode pc = pipeline.computeByVariant().path(policy);
            if (pc.isMissingNode()) {
                return;
            }
            b.append(String.format(Locale.ROOT, "%-15s", policy));
            Map<String, Double> simMs = s.runs().get(0).batchComputeMsP50();
            Map<String, Double> simSize = s.runs().get(0).batchSizeMean();
            JsonNode ps = pipeline.batchSizes().path(policy);
            pc.fields().forEachRemaining(e -> b.append(String.format(Locale.ROOT, "  %s %.1f/%.1f ms", e.getKey(),
                    e.getValue().path("p50").asDouble(), simMs.getOrDefault(e.getKey(), Double.NaN)))
                    .append(ps.has(e.getKey()) ? String.format(Locale.ROOT, " (batch %.1f/%.1f)", ps.get(e.getKey()).asDouble(),
                            simSize.getOrDefault(e.getKey(), Double.NaN)) : ""));
            b.append(System.lineSeparator());
        });
        return b.length() == 0 ? "" : "median batch ms by variant, pipeline/sim (requests a single variant answered), and the "
                + "mean batch a task ran in, where the pipeline's partials were read:" + System.lineSeparator() + b;
    }

    /**
     * Each policy's cores in its busy seconds, the models' (the executors' threads and ONNX
     * Runtime's, which the JVM lists as {@code java}) against the transport's (every other thread),
     * where the pipeline side measured them ({@code cores_by_thread_group_busy}). A policy bound by
     * its models follows this split: the pipeline's fixed-high SLO went from 0.72 to 0.61 as its
     * models' share went from 1.02 to 0.85 cores on the same code, a share the host probes, taken
     * beside requests on the lightest variant, do not see (docs/benchmarks/sim.md).
     */
    static String coresTable(PipelineSide pipeline) {
        StringBuilder b = new StringBuilder();
        pipeline.coresBusy().fields().forEachRemaining(e -> {
            JsonNode cores = e.getValue().path("cores");
            if (!cores.isObject()) {
                return;
            }
            double models = 0;
            double all = 0;
            for (var it = cores.fields(); it.hasNext(); ) {
                var g = it.next();
                all += g.getValue().asDouble();
                if (g.getKey().startsWith("executor-") || g.getKey().equals("java")) {
                    models += g.getValue().asDouble();
                }
            }
            b.append(String.format(Locale.ROOT, "%-15s models %.2f / transport %.2f cores (%.0f rps sent)%n", e.getKey(),
                    models, all - models, e.getValue().path("sent_rps").asDouble()));
        });
        return b.length() == 0 ? "" : "the pipeline's cores in each policy's busy seconds, models (executors, ONNX Runtime) / "
                + "transport (every other thread); a policy bound by its models follows this split, which the host probes do "
                + "not measure:" + System.lineSeparator() + b;
    }

    /**
     * Reads the member outputs on the partials topic while the policies run, and keeps, per policy
     * (from the request id {@code bench-POLICY-RUN-i} that {@code PolicyBenchmark} gives) and
     * variant, the mean size of the batch each task ran in.
     */
    static final class BatchSizes implements AutoCloseable {
        private final Map<String, Map<String, long[]>> sums = new java.util.concurrent.ConcurrentHashMap<>();
        private final dev.sluice.common.TopicFollower<org.apache.avro.specific.SpecificRecord> follower;

        BatchSizes(dev.sluice.common.KafkaSettings kafka, dev.sluice.schemas.SluiceSerdes serdes) {
            follower = new dev.sluice.common.TopicFollower<>("validate-batch-sizes", kafka, kafka.topics().partials(),
                    serdes.deserializer(), dev.sluice.common.TopicFollower.Start.END, v -> {
                        if (v instanceof dev.sluice.avro.ModelOutput o && o.getStatus() == dev.sluice.avro.OutputStatus.OK) {
                            String policy = policyOf(o.getRequestId());
                            if (policy != null) {
                                long[] s = sums.computeIfAbsent(policy, k -> new java.util.concurrent.ConcurrentHashMap<>())
                                        .computeIfAbsent(o.getVariant(), k -> new long[2]);
                                synchronized (s) {
                                    s[0] += o.getBatchSize();
                                    s[1]++;
                                }
                            }
                        }
                    });
        }

        /** "bench-clipper-bandit-lq2x1a-17" is clipper-bandit's; null for anything else. */
        static String policyOf(String requestId) {
            if (requestId == null || !requestId.startsWith("bench-")) {
                return null;
            }
            String rest = requestId.substring("bench-".length());
            int last = rest.lastIndexOf('-');
            int run = last <= 0 ? -1 : rest.lastIndexOf('-', last - 1);
            return run <= 0 ? null : rest.substring(0, run);
        }

        Map<String, Map<String, Double>> meanByPolicy() {
            Map<String, Map<String, Double>> out = new java.util.TreeMap<>();
            sums.forEach((p, byVariant) -> {
                Map<String, Double> m = new java.util.TreeMap<>();
                byVariant.forEach((v, s) -> {
                    synchronized (s) {
                        m.put(v, round(s[0] / (double) s[1]));
                    }
                });
                out.put(p, m);
            });
            return out;
        }

        @Override
        public void close() {
            follower.close();
        }
    }

    private static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = n.get(i).asDouble();
        }
        return d;
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private static double round4(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 1e4) / 1e4;
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x);
    }
}
