package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.Tensor;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.TopicFollower;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.ingest.load.RunSummary;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole pipeline on a real in-JVM KRaft broker with the real ONNX models of the zoo: one
 * broker and one stack shared by every test of the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private Catalog catalog;
    private FashionMnist test;
    private SluiceStack stack;
    private SluiceClient client;
    private List<String> residentAtStart;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    void start() {
        catalog = Catalog.load(CATALOG);
        test = FashionMnist.test();
        stack = SluiceStack.start(null, null, serdes, catalog, CATALOG.toAbsolutePath().getParent(),
                new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE, 20, "infaas", -1, Device.CPU, 1, 4),
                registry);
        residentAtStart = stack.residentModels();
        client = SluiceClient.connect(stack.kafka(), serdes);
    }

    @Test
    void everyModelIsLoadedBeforeTheFirstRequest() {
        // a model loaded on its first task cost those tasks up to 170 ms, in whichever burst first turned to it
        assertEquals(catalog.variants().stream().map(dev.sluice.models.Variant::id).collect(java.util.stream.Collectors.toSet()),
                java.util.Set.copyOf(residentAtStart));
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void thousandRequestsGetExactlyOneCorrectlyVotedResultEach() throws Exception {
        List<Double> floors = List.of(0.0, 0.89, 0.91);
        LoadRunner runner = new LoadRunner(client, test);
        List<RequestOutcome> outcomes = runner.run(new LoadRunner.Options(1000, RateTrace.steady(150), 20_000, floors,
                null, "fashion-mnist", 30_000), "it-exactly-once", s -> {});
        RunSummary summary = RunSummary.of(outcomes, client.duplicates(), "infaas", "exactly-once", 20_000);

        assertEquals(1000, summary.requestsSent());
        assertEquals(1000, summary.resultsReceived(), summary::table);
        assertEquals(0, summary.missing());
        assertEquals(0, summary.duplicates());
        assertEquals(1000L, summary.statusCounts().get("OK"), summary::table);

        // exactly one result per request on the topic itself, not just in the client
        Map<String, Integer> perRequest = countByKey(Topics.DEFAULT.results(), k -> k.startsWith("it-exactly-once-"), 1000);
        assertEquals(1000, perRequest.size());
        perRequest.forEach((id, n) -> assertEquals(1, n, "results for " + id));

        // each request was served by a variant meeting its floor, and the observed accuracy matches
        // what the chosen variants measure on the test set
        double expected = 0;
        int correct = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            RequestOutcome o = outcomes.get(i);
            String variant = o.result().getVariants().get(0);
            double variantAccuracy = catalog.variant(variant).orElseThrow().accuracy();
            assertTrue(variantAccuracy >= floors.get(i % floors.size()), variant + " below the floor of request " + i);
            expected += variantAccuracy;
            correct += o.correct() ? 1 : 0;
        }
        expected /= outcomes.size();
        double observed = correct / (double) outcomes.size();
        double tolerance = 3 * Math.sqrt(expected * (1 - expected) / outcomes.size()) + 0.01;
        assertTrue(Math.abs(observed - expected) <= tolerance,
                String.format("accuracy %.4f, expected %.4f +- %.4f from the variants chosen", observed, expected, tolerance));
    }

    @Test
    void badInputIsDeadLetteredOrAnsweredInvalidAndServingContinues() throws Exception {
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(stack.kafka().clientConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.DEFAULT.requests(), "garbage-1", "not avro at all".getBytes(StandardCharsets.UTF_8))).get();
            raw.send(new ProducerRecord<>(Topics.DEFAULT.requests(), "garbage-2", new byte[] {0, 0, 0, 0, 42, 1, 2})).get();
        }
        long now = System.currentTimeMillis();
        float[] image = test.images()[0];
        float[] nan = image.clone();
        nan[100] = Float.NaN;
        Map<String, InferenceRequest> bad = new HashMap<>();
        bad.put("unknown task", request("bad-task", "imagenet", Tensors.fp32("input", new long[] {1, 1, 28, 28}, image), now + 5000));
        bad.put("has shape", request("bad-shape", "fashion-mnist",
                Tensors.fp32("input", new long[] {1, 1, 28, 27}, new float[28 * 27]), now + 5000));
        bad.put("datatype INT64", request("bad-dtype", "fashion-mnist", new Tensor("input", "INT64", List.of(1L, 1L, 28L, 28L),
                ByteBuffer.allocate(784 * 8), Map.of()), now + 5000));
        bad.put("NaN", request("bad-nan", "fashion-mnist", Tensors.fp32("input", new long[] {1, 1, 28, 28}, nan), now + 5000));
        bad.put("deadline already past", request("bad-deadline", "fashion-mnist",
                Tensors.fp32("input", new long[] {1, 1, 28, 28}, image), now - 1000));
        bad.put("oversized", request("bad-big", "fashion-mnist",
                Tensors.fp32("input", new long[] {1, 1, 300, 300}, new float[90_000]), now + 5000));
        Map<String, java.util.concurrent.CompletableFuture<InferenceResult>> futures = new HashMap<>();
        bad.forEach((reason, req) -> futures.put(reason, client.submit(req)));
        for (var e : futures.entrySet()) {
            InferenceResult r = e.getValue().get(30, TimeUnit.SECONDS);
            assertEquals(ResultStatus.INVALID, r.getStatus(), e.getKey());
            assertTrue(r.getReason().contains(e.getKey()), "reason '" + r.getReason() + "' should name " + e.getKey());
        }

        // the pipeline keeps serving after all that
        InferenceResult ok = client.submit(request("after-bad", "fashion-mnist",
                Tensors.fp32("input", new long[] {1, 1, 28, 28}, image), System.currentTimeMillis() + 10_000)).get(30, TimeUnit.SECONDS);
        assertEquals(ResultStatus.OK, ok.getStatus());
        assertTrue(ok.getLabel() >= 0 && ok.getLabel() < 10);

        List<ConsumerRecord<String, byte[]>> dead = readAll(Topics.DEFAULT.dlq(), r -> r.key() != null && r.key().startsWith("garbage-"), 2);
        assertEquals(2, dead.size());
        for (ConsumerRecord<String, byte[]> r : dead) {
            String reason = new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8);
            assertTrue(reason.startsWith("undecodable request"), reason);
            assertEquals(Topics.DEFAULT.requests(), new String(r.headers().lastHeader(Topics.DLQ_SOURCE_TOPIC_HEADER).value(), StandardCharsets.UTF_8));
        }
        assertEquals("not avro at all", new String(dead.stream().filter(r -> r.key().equals("garbage-1")).findFirst()
                .orElseThrow().value(), StandardCharsets.UTF_8));
    }

    @Test
    void aTaskTooLargeToDeadLetterWholeIsDeadLetteredClippedAndTheExecutorServesOn() throws Exception {
        // undecodable, and 2 MB: the broker takes it (8 MB limit) but a whole copy would be over the executor producer's
        // max.request.size; under exactly-once that refused send failed the transaction and stopped the executor, again
        // after every restart. The dead letter keeps the first bytes and the size instead.
        Map<String, Object> cfg = stack.kafka().clientConfig();
        cfg.put(org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(cfg, new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.DEFAULT.tasks("linear"), "huge-task", new byte[2 * 1024 * 1024])).get();
        }
        List<ConsumerRecord<String, byte[]>> dead = readAll(Topics.DEFAULT.dlq(), r -> r.headers().lastHeader(
                Topics.DLQ_SOURCE_TOPIC_HEADER) != null && Topics.DEFAULT.tasks("linear").equals(new String(r.headers()
                .lastHeader(Topics.DLQ_SOURCE_TOPIC_HEADER).value(), StandardCharsets.UTF_8)), 1);
        assertEquals(1, dead.size());
        ConsumerRecord<String, byte[]> d = dead.get(0);
        assertTrue(new String(d.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8)
                .startsWith("undecodable task"));
        assertEquals(Integer.toString(2 * 1024 * 1024),
                new String(d.headers().lastHeader(Topics.DLQ_ORIGINAL_BYTES_HEADER).value(), StandardCharsets.UTF_8));
        assertEquals(dev.sluice.common.DeadLetters.MAX_VALUE_BYTES, d.value().length, "the first bytes only");
        assertTrue(stack.healthy(), () -> "every executor still runs: " + stack.health().reports());
        InferenceResult ok = client.submit(request("after-huge-task", "fashion-mnist",
                Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[1]), System.currentTimeMillis() + 10_000))
                .get(30, TimeUnit.SECONDS);
        assertEquals(ResultStatus.OK, ok.getStatus());
        assertTrue(stack.healthy(), () -> "every executor still runs: " + stack.health().reports());
    }

    @Test
    void jsonRequestsGetJsonResults() throws Exception {
        StringBuilder data = new StringBuilder();
        for (float f : test.images()[1]) {
            data.append(data.length() == 0 ? "" : ",").append(f);
        }
        String json = "{\"id\":\"json-1\",\"task\":\"fashion-mnist\",\"timeout_ms\":10000,\"min_accuracy\":0.9,"
                + "\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[" + data + "]}]}";
        String broken = "{\"id\":\"json-2\",\"task\":\"fashion-mnist\",\"timeout_ms\":10000,"
                + "\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[1,2,3]}]}";
        try (KafkaProducer<String, String> p = new KafkaProducer<>(stack.kafka().clientConfig(), new StringSerializer(),
                new StringSerializer())) {
            p.send(new ProducerRecord<>(Topics.DEFAULT.requestsJson(), "json-1", json)).get();
            p.send(new ProducerRecord<>(Topics.DEFAULT.requestsJson(), "json-2", broken)).get();
        }
        List<ConsumerRecord<String, byte[]>> results = readAll(Topics.DEFAULT.resultsJson(),
                r -> "json-1".equals(r.key()) || "json-2".equals(r.key()), 2);
        Map<String, JsonNode> byId = new HashMap<>();
        for (var r : results) {
            byId.put(r.key(), new ObjectMapper().readTree(r.value()));
        }
        JsonNode ok = byId.get("json-1");
        assertNotNull(ok);
        assertEquals("OK", ok.get("parameters").get("status").asText());
        assertEquals("fashion-mnist", ok.get("model_name").asText(), "the model requested, not a variant");
        assertFalse(ok.has("error"), ok.toString());
        assertEquals(test.labels()[1], ok.get("outputs").get(0).get("data").get(0).asInt(), ok.toString());
        assertEquals("probabilities", ok.get("outputs").get(2).get("name").asText(), ok.toString());
        JsonNode invalid = byId.get("json-2");
        assertEquals("INVALID", invalid.get("parameters").get("status").asText());
        assertTrue(invalid.get("error").asText().startsWith("INVALID: "), invalid.toString());
        assertTrue(invalid.get("parameters").get("reason").asText().contains("data"), invalid.toString());
    }

    /** Last: it stops the bridge. /health of up --serve covers every component, the bridge included. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aDeadBridgeMakesTheStackUnhealthy() throws Exception {
        assertTrue(stack.health().up(), stack.health().text());
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        dev.sluice.common.MetricsEndpoint endpoint = dev.sluice.common.MetricsEndpoint.start(registry, 0, stack.health());
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI health = java.net.URI.create("http://localhost:" + endpoint.port() + "/health");
            assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(health).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
            stack.bridge().close(); // its Streams client is gone for good, as after SHUTDOWN_CLIENT
            var r = http.send(java.net.http.HttpRequest.newBuilder(health).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("bridge: DOWN"), r.body());
            assertTrue(r.body().contains("selector: UP") && r.body().contains("aggregator: UP"), r.body());
        } finally {
            endpoint.close();
            registry.close();
        }
    }

    private static InferenceRequest request(String id, String task, Tensor input, long deadline) {
        return InferenceRequest.newBuilder().setId(id).setTask(task).setCreatedAtMs(System.currentTimeMillis())
                .setDeadlineMs(deadline).setInputs(List.of(input)).build();
    }

    private Map<String, Integer> countByKey(String topic, Predicate<String> keys, int expected) {
        Map<String, Integer> counts = new HashMap<>();
        for (var r : readAll(topic, r -> r.key() != null && keys.test(r.key()), expected)) {
            counts.merge(r.key(), 1, Integer::sum);
        }
        return counts;
    }

    /** Reads the topic from the start (committed records only) until {@code expected} matches, plus a quiet second. */
    private List<ConsumerRecord<String, byte[]>> readAll(String topic, Predicate<ConsumerRecord<String, byte[]>> match,
            int expected) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TopicFollower.committedConsumer(stack.kafka(), topic,
                new ByteArrayDeserializer(), TopicFollower.Start.BEGINNING)) {
            long until = System.currentTimeMillis() + 60_000;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(until, quietUntil)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(r)) {
                        out.add(r);
                    }
                }
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 1000; // let any duplicate show up
                }
            }
        }
        return out;
    }
}
