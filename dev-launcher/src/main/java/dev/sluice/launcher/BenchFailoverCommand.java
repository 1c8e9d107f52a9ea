package dev.sluice.launcher;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.bench.SummaryJson;
import dev.sluice.common.KafkaSettings;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Failover, measured: the broker and every component in JVMs of their own, steady load, and for
 * each fault a {@code kill -9} of one component and a replacement started a moment later with
 * the same arguments; reported per fault is how long results stopped and how long requests
 * waited, under Sluice's failover settings and under Kafka's defaults.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "kill -9 components run as separate processes under steady load, start replacements, and report "
                + "how long results stopped, with Sluice's failover settings and with Kafka's defaults.")
final class BenchFailoverCommand implements Callable<Integer> {
    @Option(names = "--faults", split = ",", defaultValue = "executor,aggregator,selector",
            description = "components to kill, one after another: executor (one of two), aggregator, selector "
                    + "(default: ${DEFAULT-VALUE})")
    List<String> faults;

    @Option(names = "--settings", split = ",", defaultValue = "sluice,kafka-defaults",
            description = "sluice (its defaults: static membership, short sessions, kept state directory), sluice:MS (the "
                    + "same with a session timeout of MS), and/or kafka-defaults (dynamic membership, 45 s sessions, 3 s "
                    + "heartbeats, fresh state directory: how Sluice ran before); a fresh cluster for each "
                    + "(default: ${DEFAULT-VALUE})")
    List<String> settings;

    @Option(names = "--aggregators", defaultValue = "1",
            description = "aggregator instances; the fault kills the first (with 2, the other holds standby replicas of "
                    + "its stores) (default: ${DEFAULT-VALUE})")
    int aggregators;

    @Option(names = "--executors", defaultValue = "2",
            description = "executor instances of the variant; the fault kills the first (default: ${DEFAULT-VALUE})")
    int executors;

    @Option(names = "--rate", defaultValue = "30", description = "requests per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--variant", defaultValue = "linear", description = "the variant every request is pinned to (default: ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--slo-ms", defaultValue = "3000",
            description = "latency a request should be answered within; requests are sent with a 60 s deadline so "
                    + "that the slow ones are still answered and timed (default: ${DEFAULT-VALUE})")
    long sloMs;

    @Option(names = "--warmup-s", defaultValue = "20", description = "load before the first fault (default: ${DEFAULT-VALUE})")
    int warmupS;

    @Option(names = "--window-s", defaultValue = "60",
            description = "observation after each kill, before the next fault (default: ${DEFAULT-VALUE})")
    int windowS;

    @Option(names = "--restart-after-ms", defaultValue = "2000",
            description = "delay between the kill and the start of the replacement; -1 starts none (default: ${DEFAULT-VALUE})")
    long restartAfterMs;

    @Option(names = "--work-dir", defaultValue = "target/bench-failover",
            description = "logs and data of each run (default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--catalog", defaultValue = "models/catalog.yaml", description = "model catalog (default: ${DEFAULT-VALUE})")
    Path catalog;

    @Option(names = "--summary-json", description = "write the results here")
    Path summaryJson;

    /** Kafka's defaults for the same options: the "before". */
    private static final List<String> KAFKA_DEFAULTS = List.of("--no-static-membership", "--session-timeout-ms=45000",
            "--heartbeat-interval-ms=3000", "--standby-replicas=0");
    private static final long DEADLINE_MS = 60_000;

    /** One request: when it was sent and when its final result arrived (0 while none). */
    record Sent(long sentAtMs, AtomicLong answeredAt) {}

    @Override
    public Integer call() throws Exception {
        FashionMnist test = FashionMnist.test();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rate_rps", rate);
        json.put("variant", variant);
        json.put("slo_ms", sloMs);
        json.put("restart_after_ms", restartAfterMs);
        json.put("window_s", windowS);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        Map<String, Object> runs = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-15s %-10s %6s %6s %5s %4s %10s %8s %6s %9s %10s%n",
                "settings", "fault", "sent", "answd", "lost", "dup", "recovery_s", "gap_s", "slow", "max_lat_s",
                "replace_s"));
        for (String s : settings) {
            Map<String, Map<String, Object>> results = run(s, test);
            runs.put(s, results);
            results.forEach((fault, r) -> table.append(String.format(Locale.ROOT,
                    "%-15s %-10s %6d %6d %5d %4d %10.1f %8.1f %6d %9.1f %10.1f%n", s, fault, r.get("sent"), r.get("answered"),
                    r.get("lost"), r.get("duplicated"), r.get("recovery_s"), r.get("results_gap_s"), r.get("slow"),
                    r.get("max_latency_s"), r.get("replacement_healthy_s"))));
            System.out.println();
            System.out.print(table);
        }
        json.put("runs", runs);
        System.out.println();
        System.out.println("recovery_s: from the kill until the last request that missed the " + sloMs + " ms SLO was answered;");
        System.out.println("gap_s: longest time with no result at all after the kill; slow: requests over the SLO;");
        System.out.println("replace_s: from the replacement's start until its /health answered 200.");
        if (summaryJson != null) {
            SummaryJson.write(summaryJson, json);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return 0;
    }

    private Map<String, Map<String, Object>> run(String setting, FashionMnist test) throws Exception {
        boolean sluice = setting.equals("sluice") || setting.startsWith("sluice:");
        if (!sluice && !setting.equals("kafka-defaults")) {
            throw new IllegalArgumentException("--settings: sluice, sluice:SESSION_MS or kafka-defaults, not " + setting);
        }
        Path dir = workDir.resolve(setting.replace(':', '-')).toAbsolutePath();
        ChildProcess.deleteTree(dir);
        Files.createDirectories(dir);
        System.out.printf("%n== %s: broker, selector, %d aggregator(s) and %d executors of %s as separate processes (logs in %s)%n",
                setting, aggregators, executors, variant, dir);
        List<ChildProcess> all = new ArrayList<>();
        try {
            ChildProcess broker = new ChildProcess("broker", List.of("-Xmx768m", "-XX:TieredStopAtLevel=1"),
                    List.of("broker", "--port=0", "--data-dir=" + dir.resolve("kafka"), "--partitions=4",
                            "--catalog=" + catalog), dir.resolve("broker.log"), -1).start();
            all.add(broker);
            String bootstrap = broker.awaitLogLine("bootstrap: ", Duration.ofSeconds(120));
            System.out.println("broker up: " + bootstrap);
            List<String> common = new ArrayList<>(List.of("--bootstrap=" + bootstrap, "--catalog=" + catalog));
            if (!sluice) {
                common.addAll(KAFKA_DEFAULTS);
            } else if (setting.startsWith("sluice:")) {
                common.add("--session-timeout-ms=" + setting.substring("sluice:".length()));
            }
            Map<String, ChildProcess> components = new LinkedHashMap<>();
            for (int i = 0; i < aggregators; i++) {
                String id = "aggregator-" + i;
                components.put(i == 0 ? "aggregator" : id, ChildProcess.component(id, dir, common, sluice
                        ? List.of("aggregator", "--id=" + id, "--state-dir=" + dir.resolve(id + "-state"))
                        : List.of("aggregator", "--id=" + id)));
            }
            for (int i = 0; i < executors; i++) {
                String id = "executor-" + (char) ('a' + i);
                components.put(i == 0 ? "executor" : id, ChildProcess.component(id, dir, common,
                        List.of("executor", "--id=" + id, "--variants=" + variant, "--device=cpu", "--threads=1")));
            }
            components.put("selector", ChildProcess.component("selector", dir, common,
                    List.of("selector", "--id=selector-0", "--policy=fixed:" + variant)));
            for (ChildProcess c : components.values()) {
                c.start();
                all.add(c);
            }
            for (ChildProcess c : components.values()) {
                c.awaitHealthy(Duration.ofSeconds(180));
            }
            System.out.println("components healthy");

            Map<String, Sent> sent = new ConcurrentHashMap<>();
            List<String[]> events = new ArrayList<>();
            Map<String, Map<String, Object>> results = new LinkedHashMap<>();
            try (SluiceClient client = SluiceClient.connect(KafkaSettings.of(bootstrap), SluiceSerdes.fingerprint())) {
                Load load = new Load(client, test, sent, setting);
                Thread loader = new Thread(load, "failover-load");
                loader.start();
                try {
                    sleepS(warmupS);
                    for (String fault : faults) {
                        ChildProcess victim = components.get(fault);
                        if (victim == null) {
                            throw new IllegalArgumentException("--faults: executor, aggregator or selector, not " + fault);
                        }
                        long dupBefore = client.duplicates();
                        double loadAtKill = ChildProcess.loadAverage();
                        long killAt = System.currentTimeMillis();
                        victim.kill();
                        System.out.printf("[%s] kill -9 %s%n", setting, victim.name);
                        long restartAt = -1;
                        double healthyS = -1;
                        if (restartAfterMs >= 0) {
                            ChildProcess.sleep(restartAfterMs);
                            restartAt = System.currentTimeMillis();
                            victim.start();
                            try {
                                victim.awaitHealthy(Duration.ofSeconds(windowS));
                                healthyS = (System.currentTimeMillis() - restartAt) / 1000.0;
                            } catch (IllegalStateException e) {
                                System.out.println("replacement: " + e.getMessage());
                            }
                            System.out.printf("[%s] replacement %s healthy after %.1f s%n", setting, victim.name, healthyS);
                        }
                        long windowEnd = killAt + windowS * 1000L;
                        while (System.currentTimeMillis() < windowEnd) {
                            ChildProcess.sleep(200);
                        }
                        events.add(new String[] {fault, Long.toString(killAt), Long.toString(restartAt)});
                        if (restartAfterMs < 0) { // the next fault needs the component back
                            victim.start();
                            victim.awaitHealthy(Duration.ofSeconds(180));
                        }
                        Map<String, Object> r = measure(sent, killAt, windowEnd, restartAt);
                        r.put("load_avg_1m_at_kill", loadAtKill);
                        r.put("load_avg_1m_at_end", ChildProcess.loadAverage());
                        r.put("replacement_healthy_s", healthyS);
                        r.put("duplicated", client.duplicates() - dupBefore);
                        results.put(fault, r);
                        System.out.printf("[%s] %s: %s%n", setting, fault, r);
                    }
                } finally {
                    load.stop();
                    loader.join();
                }
                // stragglers: everything sent must be answered; then count what never was
                long drainUntil = System.currentTimeMillis() + 30_000;
                while (client.inFlight() > 0 && System.currentTimeMillis() < drainUntil) {
                    ChildProcess.sleep(200);
                }
                ChildProcess.sleep(2_000); // a duplicate would arrive after the first answer
                writeTimeline(dir.resolve("requests.csv"), sent, events);
                for (Map.Entry<String, Map<String, Object>> e : results.entrySet()) {
                    long killAt = (long) e.getValue().remove("kill_at_ms");
                    long windowEnd = (long) e.getValue().remove("window_end_ms");
                    e.getValue().put("lost", sent.values().stream().filter(x -> x.sentAtMs() >= killAt - 10_000
                            && x.sentAtMs() < windowEnd && x.answeredAt().get() == 0).count());
                    e.getValue().put("answered", sent.values().stream().filter(x -> x.sentAtMs() >= killAt - 10_000
                            && x.sentAtMs() < windowEnd && x.answeredAt().get() != 0).count());
                }
            }
            return results;
        } finally {
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).close();
            }
        }
    }

    /**
     * What the requests sent from 10 s before the kill to the end of its window saw: the longest
     * time with no result arriving, the requests over the SLO, and when the last of them was
     * answered (the recovery: from then on requests were answered in time again).
     */
    private Map<String, Object> measure(Map<String, Sent> sent, long killAt, long windowEnd, long restartAt) {
        List<Sent> window = sent.values().stream().filter(s -> s.sentAtMs() >= killAt - 10_000 && s.sentAtMs() < windowEnd)
                .toList();
        List<Long> arrivals = new ArrayList<>();
        for (Sent s : sent.values()) {
            long a = s.answeredAt().get();
            if (a >= killAt && a <= windowEnd) {
                arrivals.add(a);
            }
        }
        arrivals.sort(null);
        long gap = 0;
        long prev = killAt;
        for (long a : arrivals) {
            gap = Math.max(gap, a - prev);
            prev = a;
        }
        gap = Math.max(gap, windowEnd - prev);
        long slow = 0;
        long lastSlowAnswer = killAt;
        long maxLatency = 0;
        for (Sent s : window) {
            long a = s.answeredAt().get();
            long latency = (a == 0 ? windowEnd : a) - s.sentAtMs();
            maxLatency = Math.max(maxLatency, latency);
            if (latency > sloMs) {
                slow++;
                lastSlowAnswer = Math.max(lastSlowAnswer, a == 0 ? windowEnd : a);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sent", (long) window.size());
        r.put("recovery_s", round1((lastSlowAnswer - killAt) / 1000.0));
        r.put("results_gap_s", round1(gap / 1000.0));
        r.put("slow", slow);
        r.put("max_latency_s", round1(maxLatency / 1000.0));
        r.put("restart_after_s", restartAt < 0 ? -1 : round1((restartAt - killAt) / 1000.0));
        r.put("kill_at_ms", killAt);
        r.put("window_end_ms", windowEnd);
        return r;
    }

    private static double round1(double x) {
        return Math.round(x * 10) / 10.0;
    }

    /** Steady requests, each pinned to the variant by the selector's default policy, answered or not within 60 s. */
    private final class Load implements Runnable {
        private final SluiceClient client;
        private final FashionMnist test;
        private final Map<String, Sent> sent;
        private final String prefix;
        private volatile boolean running = true;

        Load(SluiceClient client, FashionMnist test, Map<String, Sent> sent, String prefix) {
            this.client = client;
            this.test = test;
            this.sent = sent;
            this.prefix = prefix;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            for (long i = 0; running; i++) {
                long due = start + (long) (i / rate * 1e9);
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(Math.min(due - now, 1_000_000));
                }
                long at = System.currentTimeMillis();
                String id = prefix + "-" + i;
                InferenceRequest req = InferenceRequest.newBuilder().setId(id).setTask("fashion-mnist").setCreatedAtMs(at)
                        .setDeadlineMs(at + DEADLINE_MS)
                        .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[(int) (i % test.size())])))
                        .build();
                AtomicLong answered = new AtomicLong();
                sent.put(id, new Sent(at, answered));
                client.submit(req).thenAccept((InferenceResult r) -> answered.set(System.currentTimeMillis()));
            }
        }
    }

    /** Every request's send and answer times (epoch ms; 0: never answered), and the kills, for a closer look. */
    private static void writeTimeline(Path file, Map<String, Sent> sent, List<String[]> events) throws IOException {
        StringBuilder b = new StringBuilder("# kill fault,kill_at_ms,replacement_started_at_ms\n");
        events.forEach(e -> b.append("# kill ").append(String.join(",", e)).append('\n'));
        b.append("id,sent_at_ms,answered_at_ms\n");
        sent.entrySet().stream().sorted(java.util.Comparator.comparingLong(e -> e.getValue().sentAtMs())).forEach(e ->
                b.append(e.getKey()).append(',').append(e.getValue().sentAtMs()).append(',')
                        .append(e.getValue().answeredAt().get()).append('\n'));
        Files.writeString(file, b);
    }

    private static void sleepS(int s) {
        ChildProcess.sleep(s * 1000L);
    }

}
