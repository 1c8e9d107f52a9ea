package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarting the aggregator in the middle of a run loses no pending request and duplicates none:
 * on a real KRaft broker under exactly-once, while 1500 requests arrive at 150/s (half of them
 * two-member ensembles, so votes of one request straddle a restart), the aggregator is closed
 * and replaced by one with the same application id and state directory, then by one with a fresh
 * state directory (its store must be restored from the changelog). Afterwards sluice.results,
 * read committed from the beginning, holds exactly one final result for every request.
 */
class AggregatorRestartIT {
    private static final Logger log = LoggerFactory.getLogger(AggregatorRestartIT.class);
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

                    // first restart: same application id, same state directory (local checkpoint)
                    awaitSent(futures, REQUESTS / 3);
                    aggregator[0].close();
                    log.info("aggregator closed after {} requests sent; restarting on the same state dir", futures.size());
                    aggregator[0] = startAggregator(kafka, serdes, cfg);
                    awaitRunning(() -> aggregator[0].state() == KafkaStreams.State.RUNNING, "restarted aggregator");

                    // second restart: fresh state directory, so the store is rebuilt from its changelog
                    awaitSent(futures, 2 * REQUESTS / 3);
                    aggregator[0].close();
                    log.info("aggregator closed after {} requests sent; restarting on a fresh state dir", futures.size());
                    aggregator[0] = startAggregator(kafka, serdes, cfg.withStateDir(freshStateDir));
                    awaitRunning(() -> aggregator[0].state() == KafkaStreams.State.RUNNING, "restored aggregator");

                    sender.join();
                    CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                    Map<String, Integer> statuses = new TreeMap<>();
                    futures.values().forEach(f -> statuses.merge(f.join().getStatus().toString(), 1, Integer::sum));
                    log.info("client saw {} results: {}, duplicates {}", futures.size(), statuses, client.duplicates());
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

    private static AggregatorApp startAggregator(KafkaSettings kafka, SluiceSerdes serdes, AggregatorConfig cfg) {
        return AggregatorApp.start(kafka, serdes, DeliveryMode.EXACTLY_ONCE, cfg, new SimpleMeterRegistry());
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

    private static void awaitSent(Map<String, ?> futures, int n) throws InterruptedException {
        long until = System.currentTimeMillis() + 60_000;
        while (futures.size() < n && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        assertTrue(futures.size() >= n, "sender stalled at " + futures.size());
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
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, InferenceResult> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                serdes.<InferenceResult>deserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.RESULTS).stream()
                    .map(p -> new TopicPartition(Topics.RESULTS, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
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
