package dev.sluice.launcher;

import dev.sluice.avro.ResultStatus;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.sim.hops.HopLatencies;
import dev.sluice.sim.hops.HopLatencies.Hop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice sim measure-hops}: the Kafka hop latencies the simulator draws, measured on the
 * embedded pipeline of this machine. Requests pinned to one light variant whose batching delay
 * is set to 0 (so its queue stage is the task hop and the executor's poll, not a wait for
 * companions) are sent open loop at a low rate; each answered request's stages give one sample
 * per hop: request (created to planned: ingest + select), task (dispatched to batch start: the
 * queue stage), output (member output to result: aggregate), result (result written to the
 * client's receipt). The plan hop reuses the task hop's distribution, status and cancel the
 * output hop's (records of the same size class on the same broker, not measured on their own).
 * {@code bench overhead} reports only stage medians, not distributions, hence this command.
 */
@Command(name = "measure-hops", mixinStandardHelpOptions = true,
        description = "Measure the Kafka hop latency distributions on the embedded pipeline and write the file sim --hops reads.")
final class SimMeasureHopsCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--variant", defaultValue = "linear", description = "the variant every request is pinned to (default: ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--rate", defaultValue = "50", description = "requests per second, Poisson (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--requests", defaultValue = "3000", description = "measured requests (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--warmup-requests", defaultValue = "500", description = "sent first, not measured (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--quantiles", defaultValue = "41", description = "values per hop: quantiles at 0, 1/(n-1), ..., 1 (default: ${DEFAULT-VALUE})")
    int quantiles;

    @Option(names = "--out", defaultValue = "sim/src/main/resources/dev/sluice/sim/hops/cpu-2core-eosr.hops",
            description = "file to write (default: ${DEFAULT-VALUE})")
    Path out;

    private static final long IDLE_MS = 5_000;

    @Override
    public Integer call() throws Exception {
        Catalog catalog = cluster.loadCatalog();
        Variant v = catalog.variant(variant).orElseThrow(() -> new IllegalArgumentException("no variant " + variant));
        BatchingConfig b = v.batching();
        catalog = catalog.with(v.withBatching(new BatchingConfig(b.maxBatch(), 0.0, b.preferredBatchSizes(), b.priorityLevels(),
                b.adaptive())));
        String policy = "fixed:" + variant;
        SluiceStack.Options o = new SluiceStack.Options(cluster.deliveryMode(), cluster.commitIntervalMs, policy, -1, Device.AUTO,
                2, 1);
        List<RequestOutcome> outcomes;
        double cpuMsPerRequest;
        double idleCores;
        double[] load0 = loadAverage();
        double[] load1;
        try (Metrics metrics = new Metrics();
             SluiceStack stack = SluiceStack.start(null, null, cluster.serdes(), catalog, cluster.catalogDir(), o, metrics.registry);
             SluiceClient client = SluiceClient.connect(stack.kafka(), cluster.serdes())) {
            LoadRunner runner = new LoadRunner(client, FashionMnist.test());
            System.out.printf(Locale.ROOT, "warm-up: %d requests at %.0f rps (not measured)%n", warmup, rate);
            runner.run(new LoadRunner.Options(warmup, RateTrace.steady(rate), 10_000, List.of(0.0), policy, "fashion-mnist",
                    10_000), "hops-warmup", line -> {});
            System.out.printf(Locale.ROOT, "measuring: %d requests at %.0f rps (Poisson), every one to %s with max_delay_ms 0, "
                    + "delivery %s%n", requests, rate, variant, cluster.deliveryMode().cliName());
            // the pipeline's own CPU with nothing to do (polls, Streams commits, broker): the host's background
            Thread.sleep(2_000);
            double idle0 = processCpuMs();
            long idleStart = System.nanoTime();
            Thread.sleep(IDLE_MS);
            idleCores = (processCpuMs() - idle0) / ((System.nanoTime() - idleStart) / 1e6);
            double cpu0 = processCpuMs();
            long runStart = System.nanoTime();
            outcomes = runner.run(new LoadRunner.Options(requests, RateTrace.steady(rate), 10_000, List.of(0.0), policy,
                    "fashion-mnist", 10_000, 7L, rate, false), "hops", System.out::println);
            // the whole process's CPU over the measured requests: broker, selector, aggregator, executor and client
            // (the model itself is the lightest variant, a few microseconds a request): what each request costs
            // the host's cores in transport, which the simulator's shared-host model charges against model runs
            double runMs = (System.nanoTime() - runStart) / 1e6;
            cpuMsPerRequest = Math.max(0, (processCpuMs() - cpu0 - idleCores * runMs) / requests);
            load1 = loadAverage();
        }
        Map<Hop, List<Double>> samples = samples(outcomes);
        int ok = samples.get(Hop.REQUEST).size();
        Map<Hop, double[]> measured = measured(samples, quantiles);
        List<String> header = new ArrayList<>();
        header.add("Kafka hop latencies for ./sluice sim (ms), measured on the embedded pipeline of this machine.");
        header.add("command: ./sluice sim measure-hops --variant " + variant + " --rate " + fmt(rate) + " --requests " + requests
                + " --warmup-requests " + warmup + " --delivery " + cluster.deliveryMode().cliName() + " --commit-interval-ms "
                + cluster.commitIntervalMs);
        header.add("measured: " + Instant.now() + ", " + ok + " of " + outcomes.size() + " requests answered OK");
        header.add("machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", Java " + System.getProperty("java.version")
                + " (a shared development box: other work ran beside it)");
        header.add(String.format(Locale.ROOT, "load average: %.2f %.2f %.2f before, %.2f %.2f %.2f after (1, 5, 15 min;"
                + " %d cores)", load0[0], load0[1], load0[2], load1[0], load1[1], load1[2],
                Runtime.getRuntime().availableProcessors()));
        header.add("request = created to planned (ingest + select); task = dispatched to batch start with max_delay_ms 0 (the");
        header.add("  queue stage: task hop + the executor's poll); output = member output to result (aggregate stage);");
        header.add("  result = result written to the client's receipt. plan = task, status = output, cancel = output: not");
        header.add("  measured on their own. Timestamps are whole milliseconds.");
        header.addAll(summary(measured));
        header.add(String.format(Locale.ROOT, "transport CPU: %.2f cores with the pipeline idle (%d s); %.3f ms of process"
                + " CPU per request above that (every thread: broker, selector, aggregator, executor with the %s model,"
                + " client), at %s rps", idleCores, IDLE_MS / 1000, cpuMsPerRequest, variant, fmt(rate)));
        String text = HopLatencies.format(measured, ALIASES, header, cpuMsPerRequest, idleCores);
        HopLatencies.parse(text, out.toString()); // what we write must read back
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text);
        System.out.print(text);
        System.out.println("written to " + out.toAbsolutePath());
        return 0;
    }

    /** The hops not measured on their own, and whose distribution they reuse. */
    static final Map<Hop, Hop> ALIASES = Map.of(Hop.PLAN, Hop.TASK, Hop.STATUS, Hop.OUTPUT, Hop.CANCEL, Hop.OUTPUT);

    /** One sample per hop from each request answered OK (see the class comment); at least 100 such requests. */
    static Map<Hop, List<Double>> samples(List<RequestOutcome> outcomes) {
        Map<Hop, List<Double>> samples = new EnumMap<>(Hop.class);
        for (Hop h : List.of(Hop.REQUEST, Hop.TASK, Hop.OUTPUT, Hop.RESULT)) {
            samples.put(h, new ArrayList<>());
        }
        for (RequestOutcome r : outcomes) {
            if (!r.answered() || r.result().getStatus() != ResultStatus.OK) {
                continue;
            }
            var l = r.result().getLatency();
            samples.get(Hop.REQUEST).add(l.getIngestMs() + l.getSelectMs());
            samples.get(Hop.TASK).add(l.getQueueMs());
            samples.get(Hop.OUTPUT).add(l.getAggregateMs());
            samples.get(Hop.RESULT).add((double) Math.max(0, r.receivedAtMs() - r.result().getCompletedAtMs()));
        }
        int ok = samples.get(Hop.REQUEST).size();
        if (ok < 100) {
            throw new IllegalStateException("only " + ok + " of " + outcomes.size() + " requests answered OK: too few to measure");
        }
        return samples;
    }

    static Map<Hop, double[]> measured(Map<Hop, List<Double>> samples, int quantiles) {
        Map<Hop, double[]> measured = new EnumMap<>(Hop.class);
        samples.forEach((h, s) -> measured.put(h, quantiles(s, quantiles)));
        return measured;
    }

    /** One line per hop: p50, p90, p99, max. */
    static List<String> summary(Map<Hop, double[]> measured) {
        List<String> lines = new ArrayList<>();
        measured.forEach((h, q) -> lines.add(String.format(Locale.ROOT, "%-8s p50 %.1f  p90 %.1f  p99 %.1f  max %.1f ms",
                h.name().toLowerCase(Locale.ROOT), at(q, 0.5), at(q, 0.9), at(q, 0.99), q[q.length - 1])));
        return lines;
    }

    /** Quantiles at probabilities 0, 1/(n-1), ..., 1 (nearest rank). */
    static double[] quantiles(List<Double> samples, int n) {
        double[] s = samples.stream().mapToDouble(Double::doubleValue).map(x -> Math.max(0, x)).toArray();
        Arrays.sort(s);
        double[] q = new double[n];
        for (int i = 0; i < n; i++) {
            double p = i / (double) (n - 1);
            int idx = (int) Math.ceil(p * s.length) - 1;
            q[i] = s[Math.max(0, Math.min(s.length - 1, idx))];
        }
        return q;
    }

    private static double processCpuMs() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e6 : Double.NaN;
    }

    /** The 1, 5 and 15 minute load averages (/proc/loadavg; NaN where there is none). */
    static double[] loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (java.io.IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private static double at(double[] q, double p) {
        return new HopLatencies.Quantiles(q).at(p);
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x);
    }
}
