package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.FailoverSettings;
import dev.sluice.common.Health;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.common.TopicLayout;
import dev.sluice.decision.vote.Voters;
import dev.sluice.embedded.StandaloneKafka;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.ExecutorHost;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.json.JsonBridgeApp;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away and comes back, and poison records meet components that start on them.
 *
 * <p>On a real KRaft node with a persistent data directory ({@link StandaloneKafka}, what
 * {@code sluice broker} runs): poison records are written first (a JSON request larger than the
 * bridge may forward, Avro requests with a wrong magic byte and random bytes), then the bridge,
 * selector, aggregator and an executor start, so each consumes the poison as a component
 * restarted before it would. Under steady load the broker is stopped and started again on the same
 * data and ports; afterwards every request has exactly one final result on sluice.results (read
 * committed), no component died, and the bridge and selector, restarted again with their group
 * offsets reset to the very beginning (the poison included, and every request already answered),
 * stay up and produce no second answer.
 */
class BrokerRestartIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final String VARIANT = "linear";
    private static final int REQUESTS = 900;
    private static final double RATE = 40;
    private static final long DEADLINE_MS = 180_000;
    private static final String PREFIX = "brk-";

    @Test
    void everyRequestIsAnsweredOnceAcrossABrokerRestartAndPoisonStopsNothing() throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        Path catalogDir = CATALOG.toAbsolutePath().getParent();
        Catalog served = new Catalog(catalog.variants().stream().filter(v -> v.id().equals(VARIANT)).toList());
        assertEquals(1, served.variants().size(), "needs the " + VARIANT + " variant in " + CATALOG);
        FashionMnist test = FashionMnist.test();
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        Path root = Path.of("target", "broker-restart-it").toAbsolutePath();
        deleteTree(root);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        try (StandaloneKafka kafka = StandaloneKafka.start(new StandaloneKafka.Options(1, 0, root.resolve("kafka")))) {
            KafkaSettings settings = KafkaSettings.of(kafka.bootstrap());
            try (Admin admin = kafka.admin()) {
                new TopicLayout(2, (short) 1, List.of(VARIANT)).create(admin);
            }
            writePoison(settings, test);

            List<AutoCloseable> stack = new ArrayList<>();
            JsonBridgeApp[] bridge = {JsonBridgeApp.start(settings, serdes, new Properties(), failover("bridge-0"))};
            AggregatorApp aggregator = AggregatorApp.start(settings, serdes, DeliveryMode.EXACTLY_ONCE_RESULTS,
                    AggregatorConfig.defaults().withStateDir(root.resolve("aggregator-state")), registry,
                    InstantSource.system(), Voters.unweighted(), failover("aggregator-0"));
            stack.add(aggregator);
            ExecutorHost executors = ExecutorHost.start(settings, serdes, served, catalogDir, List.of(VARIANT),
                    ExecutorConfig.defaults("executor-0").withDevice(Device.CPU).withThreads(1), registry);
            stack.add(executors);
            SelectorApp[] selector = {startSelector(settings, serdes, served, registry)};
            Health health = new Health().add(() -> bridge[0].health()).add(() -> selector[0].health())
                    .add(aggregator::health).add(executors::health);
            try {
                await(health::up, 120, "every component up: " + health.reports());

                // the poison is behind them, answered or dead-lettered, and nobody died of it
                JsonNode big = jsonResult(settings, "poison-big");
                assertEquals("INVALID", big.get("parameters").get("status").asText(), big.toString());
                assertTrue(big.get("error").asText().contains("over the bridge's limit of " + JsonBridgeApp.MAX_RECORD_BYTES),
                        big.toString());
                List<String> reasons = deadLetterReasons(settings, 2);
                System.out.println("dead letters: " + reasons);
                assertTrue(reasons.stream().anyMatch(r -> r.contains("magic byte")), reasons.toString());
                assertTrue(health.up(), health.reports().toString());

                try (SluiceClient client = SluiceClient.connect(settings, serdes)) {
                    Map<String, CompletableFuture<InferenceResult>> futures = new ConcurrentHashMap<>();
                    Thread sender = new Thread(() -> send(client, test, futures), "it-sender");
                    sender.start();
                    awaitAnswered(futures, REQUESTS / 4);

                    long unanswered = futures.values().stream().filter(f -> !f.isDone()).count();
                    long t0 = System.nanoTime();
                    kafka.stop();
                    System.out.printf("broker stopped in %d ms with %d of %d sent requests unanswered%n",
                            (System.nanoTime() - t0) / 1_000_000, unanswered, futures.size());
                    Thread.sleep(3_000);
                    kafka.restart();
                    System.out.printf("broker back %d ms after the stop began%n", (System.nanoTime() - t0) / 1_000_000);

                    sender.join();
                    CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).get(240, TimeUnit.SECONDS);
                    System.out.printf("all %d answered %d ms after the stop began%n", futures.size(),
                            (System.nanoTime() - t0) / 1_000_000);
                    Map<String, Integer> statuses = new TreeMap<>();
                    futures.values().forEach(f -> statuses.merge(f.join().getStatus().toString(), 1, Integer::sum));
                    assertEquals(Map.of("OK", REQUESTS), statuses);
                    assertEquals(0, client.duplicates(), "a request was answered twice");
                }
                assertExactlyOnce(settings, serdes, "after the broker restart");
                await(health::up, 60, "every component up after the broker restart: " + health.reports());

                // restarts on the poison: both groups reset to the very beginning of their input
                bridge[0].close();
                resetToEarliest(kafka, JsonBridgeApp.APPLICATION_ID, Topics.DEFAULT.requestsJson(), Topics.DEFAULT.results());
                bridge[0] = JsonBridgeApp.start(settings, serdes, new Properties(), failover("bridge-0"));
                selector[0].close();
                resetToEarliest(kafka, "sluice-selector", Topics.DEFAULT.requests());
                selector[0] = startSelector(settings, serdes, served, registry);
                await(health::up, 120, "bridge and selector up again: " + health.reports());
                Thread.sleep(15_000); // they re-read everything: the poison and every request again
                assertTrue(health.up(), "a component died re-reading its input: " + health.reports());
                assertExactlyOnce(settings, serdes, "after the selector re-planned every request");
            } finally {
                selector[0].close();
                for (int i = stack.size() - 1; i >= 0; i--) {
                    stack.get(i).close();
                }
                bridge[0].close();
            }
        }
    }

    private static FailoverSettings failover(String id) {
        return FailoverSettings.defaults(id);
    }

    private static SelectorApp startSelector(KafkaSettings kafka, SluiceSerdes serdes, Catalog served,
            SimpleMeterRegistry registry) {
        return SelectorApp.start(kafka, serdes, served, SelectorConfig.defaults().withPolicy("fixed:" + VARIANT)
                .withOverheadMs(60), DeliveryMode.EXACTLY_ONCE_RESULTS, 20, registry, failover("selector-0"));
    }

    /** A JSON request 1.1 MB long (a long parameter), and two Avro requests that are not Avro. */
    private static void writePoison(KafkaSettings kafka, FashionMnist test) throws Exception {
        StringBuilder data = new StringBuilder();
        for (float f : test.images()[0]) {
            data.append(data.length() == 0 ? "" : ",").append(f);
        }
        String pad = "x".repeat(1_100_000);
        String big = "{\"id\":\"poison-big\",\"task\":\"fashion-mnist\",\"timeout_ms\":60000,\"parameters\":{\"pad\":\"" + pad
                + "\"},\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[" + data + "]}]}";
        Map<String, Object> p = kafka.clientConfig();
        p.put("max.request.size", 4 * 1024 * 1024);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DEFAULT.requestsJson(), "poison-big", big.getBytes(StandardCharsets.UTF_8))).get();
            byte[] magicOne = {1, 0, 0, 0, 7, 2, 4, 6, 8};
            producer.send(new ProducerRecord<>(Topics.DEFAULT.requests(), "poison-magic", magicOne)).get();
            byte[] random = new byte[300];
            new java.util.Random(16).nextBytes(random);
            random[0] = 0;
            producer.send(new ProducerRecord<>(Topics.DEFAULT.requests(), "poison-random", random)).get();
        }
    }

    private static void send(SluiceClient client, FashionMnist test, Map<String, CompletableFuture<InferenceResult>> futures) {
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) {
            long due = start + (long) (i / RATE * 1e9);
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 1_000_000));
            }
            long at = System.currentTimeMillis();
            String id = PREFIX + i;
            InferenceRequest req = InferenceRequest.newBuilder().setId(id).setTask("fashion-mnist").setCreatedAtMs(at)
                    .setDeadlineMs(at + DEADLINE_MS)
                    .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[i % test.size()])))
                    .build();
            futures.put(id, client.submit(req));
        }
        client.flush();
    }

    private static void awaitAnswered(Map<String, CompletableFuture<InferenceResult>> futures, int n) throws Exception {
        await(() -> futures.values().stream().filter(CompletableFuture::isDone).count() >= n, 120, n + " answers");
    }

    private static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long until = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < until, "not within " + seconds + " s: " + what);
            Thread.sleep(100);
        }
    }

    /** Exactly one final result per request on sluice.results, committed records only, read from the beginning. */
    private static void assertExactlyOnce(KafkaSettings kafka, SluiceSerdes serdes, String when) {
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(kafka, Topics.DEFAULT.results(),
                r -> r.key() != null && r.key().startsWith(PREFIX), REQUESTS)) {
            InferenceResult result = serdes.<InferenceResult>deserializer().deserialize(Topics.DEFAULT.results(), r.headers(), r.value());
            if (result.getFinal$()) {
                counts.merge(r.key(), 1, Integer::sum);
            }
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            if (!counts.containsKey(PREFIX + i)) {
                missing.add(PREFIX + i);
            }
        }
        assertEquals(List.of(), missing, "requests without a final result " + when);
        Map<String, Integer> twice = new TreeMap<>();
        counts.forEach((id, n) -> {
            if (n != 1) {
                twice.put(id, n);
            }
        });
        assertEquals(Map.of(), twice, "requests with more than one final result " + when);
    }

    private static JsonNode jsonResult(KafkaSettings kafka, String id) throws IOException {
        List<ConsumerRecord<String, byte[]>> r = readAll(kafka, Topics.DEFAULT.resultsJson(), x -> id.equals(x.key()), 1);
        assertTrue(!r.isEmpty(), "no JSON result for " + id);
        return new ObjectMapper().readTree(r.get(0).value());
    }

    private static List<String> deadLetterReasons(KafkaSettings kafka, int expected) {
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(kafka, Topics.DEFAULT.dlq(), x -> x.key() != null && x.key().startsWith("poison-"),
                expected)) {
            var h = r.headers().lastHeader(Topics.DLQ_REASON_HEADER);
            reasons.add(r.key() + ": " + (h == null ? "(no reason)" : new String(h.value(), StandardCharsets.UTF_8)));
        }
        assertEquals(expected, reasons.size(), "dead letters: " + reasons);
        return reasons;
    }

    /** Reads the topic from the start (committed records only) until {@code expected} matches and a quiet 2 s, or 90 s. */
    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaSettings kafka, String topic,
            Predicate<ConsumerRecord<String, byte[]>> match, int expected) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TopicFollower.committedConsumer(kafka, topic, new ByteArrayDeserializer(),
                TopicFollower.Start.BEGINNING)) {
            long until = System.currentTimeMillis() + 90_000;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(until, quietUntil)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(r)) {
                        out.add(r);
                        if (out.size() >= expected) {
                            quietUntil = System.currentTimeMillis() + 2_000;
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Sets a stopped app's committed offsets on {@code topics} to the beginning, once its group is
     * empty (a static member stays in the group until its session times out).
     */
    private static void resetToEarliest(StandaloneKafka kafka, String group, String... topics) throws Exception {
        try (Admin admin = kafka.admin()) {
            long until = System.currentTimeMillis() + 60_000;
            while (true) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS)
                        .get(group);
                if (d.groupState() == GroupState.EMPTY) {
                    break;
                }
                assertTrue(System.currentTimeMillis() < until, group + " still has members: " + d);
                Thread.sleep(500);
            }
            Map<TopicPartition, OffsetAndMetadata> earliest = new HashMap<>();
            for (String topic : topics) {
                int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                        .partitions().size();
                for (int p = 0; p < partitions; p++) {
                    earliest.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
                }
            }
            admin.alterConsumerGroupOffsets(group, earliest).all().get(30, TimeUnit.SECONDS);
        }
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
