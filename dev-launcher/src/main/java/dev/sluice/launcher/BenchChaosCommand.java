package dev.sluice.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.bench.SummaryJson;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The chaos benchmark: a 3-node Kafka cluster with each node in a process of its own, every
 * Sluice component replicated in processes of their own, steady Avro and JSON load, and one
 * fault after another: kill -9 of each component type (a replacement started a moment later
 * with the same arguments), kill -9 of a broker node (restarted likewise), an overload, and bad
 * records mixed into the traffic. Per fault it reports what the issue asks: sent, answered,
 * lost, duplicated, the time until results flowed again, SLO attainment inside and outside the
 * fault window, and peak heap.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Run a 3-node broker cluster and replicated components as separate processes under steady Avro and "
                + "JSON load, inject faults one after another (kill -9 of each component type and of a broker node, "
                + "an overload, bad records) and report lost, duplicated, recovery time, SLO attainment in and "
                + "outside each fault window and peak heap.")
final class BenchChaosCommand implements Callable<Integer> {
    static final List<String> ALL_FAULTS = List.of("bridge", "selector", "aggregator", "executor", "broker-node", "overload",
            "bad-records");

    @Option(names = "--faults", split = ",", defaultValue = "bridge,selector,aggregator,executor,broker-node,overload,bad-records",
            description = "faults, in this order: bridge, selector, aggregator, executor (kill -9 of the first instance, a "
                    + "replacement started after --restart-after-ms), broker-node (kill -9 of node --broker-node, restarted "
                    + "likewise), overload (--overload-factor times the rate for --overload-s), bad-records (the bad-input "
                    + "corpus at --bad-rate for --bad-s) (default: ${DEFAULT-VALUE})")
    List<String> faults;

    @Option(names = "--rate", defaultValue = "20", description = "requests per second, steady (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--json-share", defaultValue = "0.25",
            description = "share of the requests sent as JSON through the bridge; the rest is Avro (default: ${DEFAULT-VALUE})")
    double jsonShare;

    @Option(names = "--variant", defaultValue = "linear", description = "the variant every request is pinned to (default: ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--slo-ms", defaultValue = "2000",
            description = "a request meets the SLO when answered OK within this (default: ${DEFAULT-VALUE})")
    long sloMs;

    @Option(names = "--deadline-ms", defaultValue = "10000",
            description = "each request's deadline: later ones are answered DEADLINE_EXCEEDED, which bounds what an "
                    + "overload queues (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--replicas", defaultValue = "2",
            description = "instances of the bridge, the selector and the aggregator (default: ${DEFAULT-VALUE})")
    int replicas;

    @Option(names = "--executors", defaultValue = "2", description = "executor instances of the variant (default: ${DEFAULT-VALUE})")
    int executors;

    @Option(names = "--broker-nodes", defaultValue = "3",
            description = "KRaft nodes, each its own process; 3 or more replicate topics 3 times with min.insync.replicas 2 "
                    + "(default: ${DEFAULT-VALUE})")
    int brokerNodes;

    @Option(names = "--broker-node", defaultValue = "2", description = "the node the broker-node fault kills (default: ${DEFAULT-VALUE})")
    int brokerNode;

    @Option(names = "--partitions", defaultValue = "4", description = "partitions of the request-path topics (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--warmup-s", defaultValue = "60",
            description = "load before the first fault (default: ${DEFAULT-VALUE})")
    int warmupS;

    @Option(names = "--window-s", defaultValue = "40",
            description = "observation after each fault (after an overload: after its end) before the next (default: ${DEFAULT-VALUE})")
    int windowS;

    @Option(names = "--fault-window-s", defaultValue = "15",
            description = "the fault window of a kill: requests sent this long after it count as inside; an overload's and a "
                    + "bad-record stream's window is their duration plus this (default: ${DEFAULT-VALUE})")
    int faultWindowS;

    @Option(names = "--restart-after-ms", defaultValue = "2000",
            description = "delay between a kill and the start of the replacement (default: ${DEFAULT-VALUE})")
    long restartAfterMs;

    @Option(names = "--overload-factor", defaultValue = "10", description = "the overload's rate, times --rate (default: ${DEFAULT-VALUE})")
    double overloadFactor;

    @Option(names = "--overload-s", defaultValue = "60", description = "how long the overload lasts (default: ${DEFAULT-VALUE})")
    int overloadS;

    @Option(names = "--bad-rate", defaultValue = "20", description = "bad records per second in the bad-records fault (default: ${DEFAULT-VALUE})")
    double badRate;

    @Option(names = "--bad-s", defaultValue = "20", description = "how long bad records are mixed in (default: ${DEFAULT-VALUE})")
    int badS;

    @Option(names = "--component-option",
            description = "an option given to every component, e.g. --session-timeout-ms=3000; repeatable (default: none, "
                    + "the components' own defaults)")
    List<String> componentOptions;

    @Option(names = "--work-dir", defaultValue = "target/bench-chaos",
            description = "logs and data of the run, wiped at its start (default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--catalog", defaultValue = "models/catalog.yaml", description = "model catalog (default: ${DEFAULT-VALUE})")
    Path catalog;

    @Option(names = "--seed", defaultValue = "20261207", description = "seed of the bad-input corpus (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--summary-json", description = "write the results here")
    Path summaryJson;

    private static final List<String> BROKER_JVM = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1");
    private static final long BEFORE_MS = 10_000;
    /** Quiet time between one fault's slot and the next fault. */
    private static final long GAP_MS = 5_000;
    /** What {@code sluice broker} prints once its node has started and every node is registered. */
    private static final String BROKER_READY = "Kafka running: ";

    @Override
    public Integer call() throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error"); // the clients' retries while a node is down
        for (String f : faults) {
            if (!ALL_FAULTS.contains(f)) {
                throw new IllegalArgumentException("--faults: one of " + ALL_FAULTS + ", not " + f);
            }
        }
        if (brokerNode < 0 || brokerNode >= brokerNodes) {
            throw new IllegalArgumentException("--broker-node must be one of 0 to " + (brokerNodes - 1));
        }
        if (replicas < 1 || executors < 1 || rate <= 0 || jsonShare < 0 || jsonShare > 1) {
            throw new IllegalArgumentException("--replicas and --executors >= 1, --rate > 0, --json-share from 0 to 1");
        }
        Path dir = workDir.toAbsolutePath();
        ChildProcess.deleteTree(dir);
        Files.createDirectories(dir);
        FashionMnist test = FashionMnist.test();
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        List<ChildProcess> all = new ArrayList<>();
        try {
            int port = freePortRange(2 * brokerNodes);
            List<ChildProcess> brokers = new ArrayList<>();
            for (int i = 0; i < brokerNodes; i++) {
                ChildProcess b = new ChildProcess("broker-" + i, BROKER_JVM, List.of("broker", "--nodes=" + brokerNodes, "--node=" + i,
                        "--port=" + port, "--data-dir=" + dir.resolve("kafka"), "--partitions=" + partitions, "--catalog=" + catalog),
                        dir.resolve("broker-" + i + ".log"), -1);
                brokers.add(b);
                all.add(b);
                b.start();
            }
            String bootstrap = brokers.get(0).awaitLogLine("bootstrap: ", Duration.ofSeconds(180));
            System.out.printf("%d broker nodes up, each its own process: %s (logs in %s)%n", brokerNodes, bootstrap, dir);

            Map<String, ChildProcess> components = new LinkedHashMap<>();
            List<String> common = new ArrayList<>(List.of("--bootstrap=" + bootstrap, "--catalog=" + catalog));
            if (componentOptions != null) {
                common.addAll(componentOptions);
            }
            for (int i = 0; i < replicas; i++) {
                for (List<String> args : List.of(List.of("bridge", "--id=bridge-" + i),
                        List.of("selector", "--id=selector-" + i, "--policy=fixed:" + variant),
                        List.of("aggregator", "--id=aggregator-" + i, "--state-dir=" + dir.resolve("aggregator-" + i + "-state")))) {
                    String name = args.get(0) + "-" + i;
                    components.put(name, ChildProcess.component(name, dir, common, args));
                }
            }
            for (int i = 0; i < executors; i++) {
                String id = "executor-" + i;
                components.put(id, ChildProcess.component(id, dir, common,
                        List.of("executor", "--id=" + id, "--variants=" + variant, "--device=cpu", "--threads=1")));
            }
            for (ChildProcess c : components.values()) {
                c.start();
                all.add(c);
            }
            for (ChildProcess c : components.values()) {
                c.awaitHealthy(Duration.ofSeconds(240));
            }
            System.out.printf("components healthy: %s%n", String.join(", ", components.keySet()));

            ChaosLedger ledger = new ChaosLedger(sloMs);
            Map<String, Object> faultResults = new LinkedHashMap<>();
            List<ChaosLedger.Window> windows = new ArrayList<>();
            Map<String, Map<String, Object>> extra = new LinkedHashMap<>();
            try (ProcessWatch watch = new ProcessWatch(all);
                 Results results = new Results(bootstrap, serdes, ledger);
                 Load load = new Load(bootstrap, serdes, test, ledger)) {
                load.begin();
                ChildProcess.sleep(warmupS * 1000L);
                long firstSentAt = System.currentTimeMillis() - warmupS * 1000L;
                for (String fault : faults) {
                    awaitAllHealthy(components, brokers);
                    // the last requests of the previous slot are answered before this fault strikes, so
                    // that what this fault does is not counted against the previous one
                    ChildProcess.sleep(GAP_MS);
                    Map<String, Object> info = new LinkedHashMap<>();
                    info.put("load_avg_1m_at_start", ChildProcess.loadAverage());
                    ChaosLedger.Window w = switch (fault) {
                        case "overload" -> overload(load, info);
                        case "bad-records" -> badRecords(bootstrap, serdes, test, results, info);
                        case "broker-node" -> {
                            ChildProcess node = brokers.get(brokerNode);
                            int starts = node.logLines(BROKER_READY).size();
                            yield kill(fault, node, () -> {
                                node.awaitLogLine(BROKER_READY, starts + 1, Duration.ofSeconds(windowS));
                                awaitInSync(bootstrap);
                            }, info);
                        }
                        default -> {
                            ChildProcess victim = components.get(fault + "-0");
                            yield kill(fault, victim, () -> victim.awaitHealthy(Duration.ofSeconds(windowS)), info);
                        }
                    };
                    info.put("load_avg_1m_at_end", ChildProcess.loadAverage());
                    info.put("at_s", ChaosLedger.round1((w.startMs() - firstSentAt) / 1000.0));
                    windows.add(w);
                    extra.put(fault, info);
                    System.out.printf("[%s] done: %s%n", fault, info);
                }
                load.end();
                long drainUntil = System.currentTimeMillis() + deadlineMs + 30_000;
                while (ledger.unanswered() > 0 && System.currentTimeMillis() < drainUntil) {
                    ChildProcess.sleep(250);
                }
                ChildProcess.sleep(3_000); // a duplicate would come after the first answer
                Files.writeString(dir.resolve("requests.csv"), ledger.timeline());
                System.out.println("CPU seconds per process over the run: " + watch.cpuSeconds(0, Long.MAX_VALUE));
                long firstAt = results.firstAnswerAtMs();
                long until = windows.isEmpty() ? System.currentTimeMillis() : windows.get(0).startMs();
                for (long t = firstAt; t < until; t += 10_000) {
                    System.out.printf("warm-up, answers %d-%d s after the first, stage medians: %s%n", (t - firstAt) / 1000,
                            (t - firstAt) / 1000 + 10, results.stageMediansBetween(t, t + 10_000));
                }
                for (ChaosLedger.Window w : windows) {
                    Map<String, Object> r = ledger.measure(w);
                    Map<String, Double> heap = watch.peakHeapMb(w.startMs() - BEFORE_MS, w.slotEndMs());
                    r.put("peak_heap_mb", heap.values().stream().mapToDouble(Double::doubleValue).max().orElse(-1));
                    r.put("peak_heap_mb_by_process", heap);
                    r.put("peak_rss_mb_by_process", watch.peakRssMb(w.startMs() - BEFORE_MS, w.slotEndMs()));
                    r.put("cpu_s_by_process", watch.cpuSeconds(w.startMs() - BEFORE_MS, w.slotEndMs()));
                    r.putAll(extra.get(w.name()));
                    r.put("stage_p50_ms_in_window", results.stageMediansBetween(w.startMs(), w.windowEndMs()));
                    if (w.name().equals("bad-records")) {
                        r.put("bad_refused", results.refusalsBetween(w.startMs(), w.slotEndMs()));
                    }
                    faultResults.put(w.name(), r);
                }
                System.out.println();
                System.out.print(table(faultResults));
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("faults", faultResults);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("rate_rps", rate);
            config.put("json_share", jsonShare);
            config.put("variant", variant);
            config.put("slo_ms", sloMs);
            config.put("deadline_ms", deadlineMs);
            config.put("broker_nodes", brokerNodes);
            config.put("replicas", replicas);
            config.put("executors", executors);
            config.put("restart_after_ms", restartAfterMs);
            config.put("window_s", windowS);
            config.put("fault_window_s", faultWindowS);
            config.put("overload_factor", overloadFactor);
            config.put("overload_s", overloadS);
            config.put("component_options", componentOptions == null ? List.of() : componentOptions);
            config.put("cores", Runtime.getRuntime().availableProcessors());
            json.put("config", config);
            if (summaryJson != null) {
                SummaryJson.write(summaryJson, json);
                System.out.println("summary written to " + summaryJson.toAbsolutePath());
            }
            return 0;
        } finally {
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).close();
            }
        }
    }

    /** Faults must not pile up: every process is back (healthy) before the next one. */
    private static void awaitAllHealthy(Map<String, ChildProcess> components, List<ChildProcess> brokers) {
        for (ChildProcess b : brokers) {
            if (!b.alive()) {
                throw new IllegalStateException(b.name + " is not running");
            }
        }
        for (ChildProcess c : components.values()) {
            c.awaitHealthy(Duration.ofSeconds(120));
        }
    }

    /** kill -9, a replacement with the same arguments after the restart delay, then the rest of the slot. */
    private ChaosLedger.Window kill(String fault, ChildProcess victim, Runnable awaitBack, Map<String, Object> info) {
        long killAt = System.currentTimeMillis();
        victim.kill();
        System.out.printf("kill -9 %s%n", victim.name);
        ChildProcess.sleep(restartAfterMs);
        long restartAt = System.currentTimeMillis();
        victim.start();
        info.put("killed", victim.name);
        info.put("restarted_after_s", ChaosLedger.round1((restartAt - killAt) / 1000.0));
        long slotEnd = killAt + windowS * 1000L;
        try {
            awaitBack.run();
            info.put("replacement_healthy_s", ChaosLedger.round1((System.currentTimeMillis() - restartAt) / 1000.0));
        } catch (IllegalStateException e) {
            info.put("replacement_healthy_s", -1.0);
            System.out.println("replacement: " + e.getMessage());
        }
        sleepUntil(slotEnd);
        return new ChaosLedger.Window(fault, killAt, killAt,
                Math.min(slotEnd, killAt + faultWindowS * 1000L), slotEnd, BEFORE_MS);
    }

    /**
     * Waits until every partition of the Sluice topics has all its replicas in sync again (the
     * restarted node has caught up).
     */
    private void awaitInSync(String bootstrap) {
        long until = System.currentTimeMillis() + windowS * 1000L;
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(c)) {
            while (System.currentTimeMillis() < until) {
                try {
                    java.util.Set<String> topics = admin.listTopics().names().get(5, java.util.concurrent.TimeUnit.SECONDS);
                    List<String> sluice = topics.stream().filter(t -> t.startsWith("sluice")).toList();
                    boolean full = admin.describeTopics(sluice).allTopicNames().get(5, java.util.concurrent.TimeUnit.SECONDS)
                            .values().stream().flatMap(d -> d.partitions().stream())
                            .allMatch(p -> p.isr().size() == p.replicas().size());
                    if (full) {
                        return;
                    }
                } catch (Exception e) {
                    // not yet
                }
                ChildProcess.sleep(250);
            }
        }
        throw new IllegalStateException("partitions still under-replicated " + windowS + " s after the node's restart");
    }

    private ChaosLedger.Window overload(Load load, Map<String, Object> info) {
        long start = System.currentTimeMillis();
        load.factor(overloadFactor);
        System.out.printf("overload: %.0f requests/s for %d s%n", rate * overloadFactor, overloadS);
        sleepUntil(start + overloadS * 1000L);
        load.factor(1);
        long end = System.currentTimeMillis();
        info.put("overload_rps", rate * overloadFactor);
        long slotEnd = end + windowS * 1000L;
        sleepUntil(slotEnd);
        return new ChaosLedger.Window("overload", start, end, Math.min(slotEnd, end + faultWindowS * 1000L), slotEnd, BEFORE_MS);
    }

    private ChaosLedger.Window badRecords(String bootstrap, SluiceSerdes serdes, FashionMnist test, Results results,
            Map<String, Object> info) {
        long start = System.currentTimeMillis();
        int count = (int) Math.ceil(badRate * badS);
        List<BadInputCorpus.Case> cases = new BadInputCorpus(seed, serdes, test.images(), start, deadlineMs)
                .generate(count * 3 / 5, count - count * 3 / 5, 0).cases();
        System.out.printf("bad records: %d at %.0f/s%n", cases.size(), badRate);
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerConfig(bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < cases.size(); i++) {
                long due = t0 + (long) (i / badRate * 1e9);
                parkUntil(due);
                BadInputCorpus.Case c = cases.get(i);
                p.send(new ProducerRecord<>(c.topic(), c.key(), c.value()));
            }
        }
        info.put("bad_sent", cases.size());
        long end = System.currentTimeMillis();
        long slotEnd = start + Math.max(windowS, badS + faultWindowS) * 1000L;
        sleepUntil(slotEnd);
        return new ChaosLedger.Window("bad-records", start, start, Math.min(slotEnd, end + faultWindowS * 1000L), slotEnd, BEFORE_MS);
    }

    private static String table(Map<String, Object> faults) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-12s %6s %6s %5s %4s %10s %7s %8s %9s%n", "fault", "sent",
                "answd", "lost", "dup", "recovery_s", "slo_in", "slo_out", "heap_mb"));
        faults.forEach((name, o) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) o;
            b.append(String.format(Locale.ROOT, "%-12s %6d %6d %5d %4d %10.1f %7s %8s %9.1f%n", name, r.get("sent"), r.get("answered"),
                    r.get("lost"), r.get("duplicated"), r.get("recovery_s"), r.get("slo_in_window"), r.get("slo_outside_window"),
                    r.get("peak_heap_mb")));
        });
        return b.toString();
    }

    static Map<String, Object> producerConfig(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024); // the corpus's oversized records must reach the broker
        return p;
    }

    /** Steady load, Avro and JSON interleaved, at {@code rate} times a factor that the overload raises. */
    private final class Load implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final SluiceSerdes serdes;
        private final FashionMnist test;
        private final ChaosLedger ledger;
        private final String[] jsonData = new String[64];
        private final Thread thread = new Thread(this::run, "chaos-load");
        private volatile boolean running = true;
        private volatile double factor = 1;

        Load(String bootstrap, SluiceSerdes serdes, FashionMnist test, ChaosLedger ledger) {
            this.producer = new KafkaProducer<>(producerConfig(bootstrap), new StringSerializer(), new ByteArraySerializer());
            this.serdes = serdes;
            this.test = test;
            this.ledger = ledger;
            for (int i = 0; i < jsonData.length; i++) {
                StringBuilder d = new StringBuilder("[");
                for (float v : test.images()[i]) {
                    d.append(d.length() > 1 ? "," : "").append(v);
                }
                jsonData[i] = d.append(']').toString();
            }
        }

        void begin() {
            thread.start();
        }

        void factor(double f) {
            factor = f;
        }

        void end() throws InterruptedException {
            running = false;
            thread.join();
            producer.flush();
        }

        private void run() {
            int jsonEvery = jsonShare <= 0 ? 0 : (int) Math.round(1 / jsonShare);
            long next = System.nanoTime();
            for (long i = 0; running; i++) {
                parkUntil(next);
                next += (long) (1e9 / (rate * factor));
                long at = System.currentTimeMillis();
                boolean json = jsonEvery > 0 && i % jsonEvery == 0;
                String id = (json ? "j" : "a") + i;
                ledger.sent(id, at);
                if (json) {
                    String body = "{\"id\":\"" + id + "\",\"task\":\"fashion-mnist\",\"timeout_ms\":" + deadlineMs
                            + ",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":"
                            + jsonData[(int) (i % jsonData.length)] + "}]}";
                    producer.send(new ProducerRecord<>(Topics.DEFAULT.requestsJson(), id, body.getBytes(StandardCharsets.UTF_8)));
                } else {
                    InferenceRequest r = InferenceRequest.newBuilder().setId(id).setTask("fashion-mnist").setCreatedAtMs(at)
                            .setDeadlineMs(at + deadlineMs).setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28},
                                    test.images()[(int) (i % test.size())]))).build();
                    producer.send(new ProducerRecord<>(Topics.DEFAULT.requests(), id,
                            serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), r)));
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (running) {
                end();
            }
            producer.close(Duration.ofSeconds(10));
        }
    }

    /**
     * Reads every final answer from the beginning of this run: Avro results for the Avro requests,
     * JSON results for the JSON ones (each through its own path, so a dead bridge shows), and counts
     * refusals of bad records (dead letters, INVALID answers for ids this client did not send).
     */
    private static final class Results implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final SluiceSerdes serdes;
        private final ChaosLedger ledger;
        private final JsonMapper mapper = JsonMapper.builder().build();
        private final ConcurrentLinkedQueue<Long> refusals = new ConcurrentLinkedQueue<>();
        /** Per Avro answer: when it came, and its stage latencies (ingest, select, queue, compute, aggregate). */
        private final ConcurrentLinkedQueue<double[]> stages = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private volatile boolean running = true;

        Results(String bootstrap, SluiceSerdes serdes, ChaosLedger ledger) {
            Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
            this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
            this.serdes = serdes;
            this.ledger = ledger;
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(Topics.DEFAULT.results(), Topics.DEFAULT.resultsJson(), Topics.DEFAULT.dlq())) {
                consumer.partitionsFor(t, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolved now, before the first request is sent
            this.thread = new Thread(this::run, "chaos-results");
            thread.start();
        }

        private void run() {
            try {
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.currentTimeMillis();
                        try {
                            onRecord(r, now);
                        } catch (RuntimeException e) {
                            System.out.println("unreadable record on " + r.topic() + ": " + e);
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            }
        }

        private void onRecord(ConsumerRecord<String, byte[]> r, long now) throws RuntimeException {
            if (r.topic().equals(Topics.DEFAULT.dlq())) {
                refusals.add(now);
            } else if (r.topic().equals(Topics.DEFAULT.results())) {
                InferenceResult res = serdes.<InferenceResult>deserializer().deserialize(r.topic(), r.value());
                String id = res.getRequestId();
                if (res.getFinal$() && !id.startsWith("j")) {
                    if (ledger.answered(id, now, res.getStatus().name())) {
                        var l = res.getLatency();
                        stages.add(new double[] {now, l.getIngestMs(), l.getSelectMs(), l.getQueueMs(), l.getComputeMs(),
                                l.getAggregateMs()});
                    } else if (res.getStatus().name().equals("INVALID")) {
                        refusals.add(now); // a bad record's id
                    }
                }
            } else {
                JsonNode n;
                try {
                    n = mapper.readTree(r.value());
                } catch (IOException e) {
                    throw new IllegalStateException("not JSON: " + e.getMessage(), e);
                }
                String id = n.path("id").asText();
                JsonNode p = n.path("parameters");
                if (id.startsWith("j") && p.path("final").asBoolean(true)) {
                    ledger.answered(id, now, p.path("status").asText());
                }
            }
        }

        /** The median of each stage's latency (ms) over the Avro answers that came from {@code fromMs} to {@code toMs}. */
        Map<String, Object> stageMediansBetween(long fromMs, long toMs) {
            List<double[]> in = stages.stream().filter(x -> x[0] >= fromMs && x[0] <= toMs).toList();
            Map<String, Object> m = new LinkedHashMap<>();
            String[] names = {"ingest", "select", "queue", "compute", "aggregate"};
            for (int i = 0; i < names.length; i++) {
                int k = i + 1;
                double[] v = in.stream().mapToDouble(x -> x[k]).sorted().toArray();
                m.put(names[i] + "_ms", v.length == 0 ? null : ChaosLedger.round1(v[v.length / 2]));
            }
            return m;
        }

        long firstAnswerAtMs() {
            return (long) stages.stream().mapToDouble(x -> x[0]).min().orElse(System.currentTimeMillis());
        }

        long refusalsBetween(long fromMs, long toMs) {
            return refusals.stream().filter(t -> t >= fromMs && t <= toMs).count();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(10_000);
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static void parkUntil(long nanoTime) {
        long now;
        while ((now = System.nanoTime()) < nanoTime) {
            LockSupport.parkNanos(Math.min(nanoTime - now, 1_000_000));
        }
    }

    private static void sleepUntil(long epochMs) {
        long rest;
        while ((rest = epochMs - System.currentTimeMillis()) > 0) {
            ChildProcess.sleep(Math.min(rest, 200));
        }
    }

    /** A free range of {@code n} consecutive ports (the broker nodes compute theirs from its first). */
    static int freePortRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = 20_000 + (int) (Math.random() * 30_000);
            boolean free = true;
            for (int p = first; p < first + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p)) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }

}
