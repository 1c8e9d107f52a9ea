package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.common.TopicLayout;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.ExecutorHost;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import dev.sluice.selector.SelectorApp;
import dev.sluice.selector.SelectorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Restarting the aggregator in the middle of a run loses no pending request and duplicates none:
 * on a real KRaft broker under exactly-once, while 1500 requests arrive at 150/s (half of them
 * two-member ensembles, so votes of one request straddle a restart), the aggregator is closed
 * and replaced by one with the same application id and state directory, then by one with a fresh
 * state directory (its store must be restored from the changelog). Afterwards sluice.results,
 * read committed from the beginning, holds exactly one final result for every request.
 */
class AggregatorRestartIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final String APP_ID = "it-aggregator-restart";
    private static final int REQUESTS = 1500;
    private static final double RATE = 150;
    private static final long DEADLINE_MS = 120_000;

    @Test
    void restartsLoseNoPendingRequestAndDuplicateNone() throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        Path catalogDir = CATALOG.toAbsolutePath().getParent();
        List<String> variants = catalog.variants().stream().filter(Variant::isProfiled).map(Variant::id).toList();
        assertTrue(variants.size() >= 2, "needs two profiled variants for ensembles: " + CATALOG);
        Catalog served = new Catalog(catalog.variants().stream().filter(Variant::isProfiled).toList());
        FashionMnist test = FashionMnist.test();
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        Path stateRoot = Path.of("target", "aggregator-restart-it").toAbsolutePath();
        deleteTree(stateRoot);
        Path stateDir = stateRoot.resolve("state-a");
        Path freshStateDir = stateRoot.resolve("state-b");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            try (Admin admin = broker.admin()) {
                new TopicLayout(4, (short) 1, variants).create(admin);
            }
            AggregatorConfig cfg = AggregatorConfig.defaults().withApplicationId(APP_ID)
                    .withCommitInterval(Duration.ofMillis(20)).withStateDir(stateDir);
            List<AutoCloseable> stack = new ArrayList<>();
            AggregatorApp[] aggregator = {startAggregator(kafka, serdes, cfg)};
            try {
                ExecutorHost executors = ExecutorHost.start(kafka, serdes, served, catalogDir, variants,
                        ExecutorConfig.defaults("it-restart-0").withDelivery(DeliveryMode.EXACTLY_ONCE)
                                .withDevice(Device.CPU).withThreads(1), registry);
                stack.add(executors);
                SelectorApp selector = SelectorApp.start(kafka, serdes, served,
                        SelectorConfig.defaults().withPolicy("tiers").withOverheadMs(60), DeliveryMode.EXACTLY_ONCE, 20,
                        registry);
                stack.add(selector);
                awaitRunning(() -> selector.state() == KafkaStreams.State.RUNNING && executors.ready()
                        && aggregator[0].state() == KafkaStreams.State.RUNNING, "selector, executors and aggregator");

                try (SluiceClient client = SluiceClient.connect(kafka, serdes)) {
                    Map<String, CompletableFuture<InferenceResult>> futures = new ConcurrentHashMap<>();
                    Thread sender = new Thread(() -> send(client, test, futures), "it-sender");
                    sender.start();

                    Thread progress = new Thread(() -> progress(futures), "it-progress");
                    progress.setDaemon(true);
                    progress.start();
                    // first restart: same application id, same state directory (local checkpoint)
                    awaitAnswered(futures, REQUESTS / 5);
                    restart(aggregator, kafka, serdes, cfg, futures, "the same state dir");

                    // second restart: fresh state directory, so the store is rebuilt from its changelog
                    awaitAnswered(futures, REQUESTS / 2);
                    restart(aggregator, kafka, serdes, cfg.withStateDir(freshStateDir), futures, "a fresh state dir");

                    sender.join();
                    long afterRestarts = System.nanoTime();
                    CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                    System.out.printf("all results in %d ms after the second restart was RUNNING%n",
                            (System.nanoTime() - afterRestarts) / 1_000_000);
                    Map<String, Integer> statuses = new TreeMap<>();
                    futures.values().forEach(f -> statuses.merge(f.join().getStatus().toString(), 1, Integer::sum));
                    System.out.printf("client saw %d results: %s, duplicates %d%n", futures.size(), statuses, client.duplicates());
                    assertEquals(0, client.duplicates(), "a request was answered twice");
                    assertEquals(Map.of("OK", REQUESTS), statuses, "with a long deadline every request is answered OK");
                }

                // exactly one final result per request on the topic itself, committed records only
                Map<String, Integer> perRequest = finalResultsPerRequest(kafka, serdes, "restart-");
                List<String> missing = new ArrayList<>();
                for (int i = 0; i < REQUESTS; i++) {
                    if (!perRequest.containsKey("restart-" + i)) {
                        missing.add("restart-" + i);
                    }
                }
                assertEquals(List.of(), missing, "requests without a result");
                Map<String, Integer> duplicated = new TreeMap<>();
                perRequest.forEach((id, n) -> {
                    if (n != 1) {
                        duplicated.put(id, n);
                    }
                });
                assertEquals(Map.of(), duplicated, "requests with more than one final result");
                assertEquals(REQUESTS, perRequest.size());
            } finally {
                for (int i = stack.size() - 1; i >= 0; i--) {
                    stack.get(i).close();
                }
                aggregator[0].close();
            }
        }
    }

    /** Closes the running aggregator while requests are in flight and starts its replacement on {@code cfg}. */
    private static void restart(AggregatorApp[] aggregator, KafkaSettings kafka, SluiceSerdes serdes, AggregatorConfig cfg,
            Map<String, CompletableFuture<InferenceResult>> futures, String how) throws InterruptedException {
        long unanswered = futures.values().stream().filter(f -> !f.isDone()).count();
        long t0 = System.nanoTime();
        aggregator[0].close();
        long closedMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("aggregator closed in %d ms with %d of %d sent requests unanswered; restarting on %s%n",
                closedMs, unanswered, futures.size(), how);
        assertTrue(unanswered > 0, "nothing was in flight at the restart");
        aggregator[0] = startAggregator(kafka, serdes, cfg);
        awaitRunning(() -> aggregator[0].state() == KafkaStreams.State.RUNNING, "restarted aggregator");
        System.out.printf("aggregator RUNNING again %d ms after the close began%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The aggregator as a static member of its consumer group (Kafka Streams suffixes the id per
     * thread): Streams' close() does not leave the group, so a dynamic member's replacement waits
     * out the old member's session (45 s by default) before it gets the partitions, while a static
     * member's replacement takes them over at once.
     */
    private static AggregatorApp startAggregator(KafkaSettings kafka, SluiceSerdes serdes, AggregatorConfig cfg) {
        Map<String, Object> extra = new HashMap<>(kafka.extra());
        extra.put("main.consumer.group.instance.id", APP_ID + "-0");
        extra.put("main.consumer.session.timeout.ms", 30_000);
        return AggregatorApp.start(new KafkaSettings(kafka.bootstrap(), extra), serdes, DeliveryMode.EXACTLY_ONCE, cfg,
                new SimpleMeterRegistry());
    }

    /** 150 requests per second, paced; every other one asks for the two most accurate variants (a vote). */
    private static void send(SluiceClient client, FashionMnist test, Map<String, CompletableFuture<InferenceResult>> futures) {
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) {
            long due = start + (long) (i / RATE * 1e9);
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 1_000_000));
            }
            long sentAt = System.currentTimeMillis();
            String id = "restart-" + i;
            InferenceRequest req = InferenceRequest.newBuilder().setId(id).setTask("fashion-mnist").setCreatedAtMs(sentAt)
                    .setDeadlineMs(sentAt + DEADLINE_MS).setTier(i % 2 == 0 ? "ensemble-high" : null)
                    .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[i % test.size()])))
                    .build();
            futures.put(id, client.submit(req));
        }
        client.flush();
    }

    private static long answered(Map<String, CompletableFuture<InferenceResult>> futures) {
        return futures.values().stream().filter(CompletableFuture::isDone).count();
    }

    private static void awaitAnswered(Map<String, CompletableFuture<InferenceResult>> futures, int n)
            throws InterruptedException {
        long until = System.currentTimeMillis() + 90_000;
        while (answered(futures) < n && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        assertTrue(answered(futures) >= n, "answers stalled at " + answered(futures));
    }

    /** Sent and answered once a second, so a failure shows where the run stood. */
    private static void progress(Map<String, CompletableFuture<InferenceResult>> futures) {
        long start = System.nanoTime();
        while (answered(futures) < REQUESTS) {
            System.out.printf("[%5.1fs] sent %4d answered %4d%n", (System.nanoTime() - start) / 1e9, futures.size(),
                    answered(futures));
            LockSupport.parkNanos(1_000_000_000L);
        }
    }

    private static void awaitRunning(java.util.function.BooleanSupplier running, String what) throws InterruptedException {
        long until = System.currentTimeMillis() + 90_000;
        while (!running.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < until, what + " not RUNNING within 90 s");
            Thread.sleep(50);
        }
    }

    /** Final results per request id on sluice.results, read committed from the beginning until a quiet 2 s. */
    private static Map<String, Integer> finalResultsPerRequest(KafkaSettings kafka, SluiceSerdes serdes, String prefix) {
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, InferenceResult> consumer = TopicFollower.committedConsumer(kafka, Topics.DEFAULT.results(),
                serdes.<InferenceResult>deserializer(), TopicFollower.Start.BEGINNING)) {
            long until = System.currentTimeMillis() + 60_000;
            long quietUntil = System.currentTimeMillis() + 2_000;
            while (System.currentTimeMillis() < Math.min(until, quietUntil)) {
                for (ConsumerRecord<String, InferenceResult> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(prefix) && r.value() != null && r.value().getFinal$()) {
                        counts.merge(r.key(), 1, Integer::sum);
                        quietUntil = System.currentTimeMillis() + 2_000;
                    }
                }
            }
        }
        return counts;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
