package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.common.TopicLayout;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.ExecutorHost;
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.Softmax;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Default answers at the deadline, end to end on the real in-JVM broker and ONNX Runtime: the
 * pipeline runs an executor for the cheapest variant only, so a request pinned to the heavy rung
 * (whose executor is down) cannot be answered by its member. A request that asked for a default
 * answer gets the fast fallback run's answer, flagged; one that did not gets DEADLINE_EXCEEDED.
 * The JSON topic's requested outputs ride along: only the outputs named come back, and an unknown
 * name is INVALID with the task's outputs listed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadlineDefaultIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final DeliveryMode MODE = DeliveryMode.EXACTLY_ONCE_RESULTS;
    /** Time enough for the fallback run on a loaded machine; the member never answers whatever the deadline. */
    private static final long TIMEOUT_MS = 4000;
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Catalog catalog;
    private Variant cheapest;
    private String member;
    private FashionMnist test;
    private EmbeddedKafka broker;
    private KafkaSettings kafka;
    private SluiceClient client;

    @BeforeAll
    void start() {
        catalog = Catalog.load(CATALOG);
        cheapest = catalog.forTask("fashion-mnist").get(0);
        member = catalog.forTask("fashion-mnist").get(catalog.forTask("fashion-mnist").size() - 1).id();
        test = FashionMnist.test();
        broker = EmbeddedKafka.start();
        kafka = KafkaSettings.of(broker.bootstrap());
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            new TopicLayout(2, (short) 1, catalog.variants().stream().map(Variant::id).toList()).create(admin);
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JsonBridgeApp bridge = JsonBridgeApp.start(kafka, serdes, new Properties());
        closing.add(bridge);
        AggregatorApp aggregator = AggregatorApp.start(kafka, serdes, MODE,
                AggregatorConfig.defaults().withCommitInterval(Duration.ofMillis(20)), registry);
        closing.add(aggregator);
        // the cheapest variant's executor only: the pinned member's tasks wait on a topic nobody reads
        ExecutorHost executors = ExecutorHost.start(kafka, serdes, catalog, CATALOG.toAbsolutePath().getParent(),
                List.of(cheapest.id()), ExecutorConfig.defaults("it-0").withDelivery(MODE).withDevice(Device.CPU).withThreads(1),
                registry);
        closing.add(executors);
        SelectorApp selector = SelectorApp.start(kafka, serdes, () -> catalog,
                SelectorConfig.defaults().withPolicy("infaas").withOverheadMs(50), MODE, 20, registry);
        closing.add(selector);
        long until = System.currentTimeMillis() + 90_000;
        while (!(selector.state() == KafkaStreams.State.RUNNING && aggregator.state() == KafkaStreams.State.RUNNING
                && bridge.state() == KafkaStreams.State.RUNNING && executors.ready())) {
            assertTrue(System.currentTimeMillis() < until, "the pipeline did not start");
            sleep(100);
        }
        client = SluiceClient.connect(kafka, serdes);
        closing.add(client);
    }

    @AfterAll
    void stop() {
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                // closing the rest regardless
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private InferenceRequest pinned(String id, int image, Map<String, String> parameters) {
        long now = System.currentTimeMillis();
        return InferenceRequest.newBuilder().setId(id).setTask("fashion-mnist").setCreatedAtMs(now)
                .setDeadlineMs(now + TIMEOUT_MS).setPolicy("fixed:" + member).setParameters(parameters)
                .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[image]))).build();
    }

    /** The cheapest variant's own answer for {@code image}, straight from ONNX Runtime. */
    private int cheapestLabel(int image) {
        try (OnnxModel m = OnnxModel.load(cheapest, CATALOG.toAbsolutePath().getParent(), Device.CPU, 1)) {
            float[] logits = m.run(test.images()[image], 1);
            return Softmax.argmax(logits, 0, logits.length);
        }
    }

    @Test
    void anOptedInRequestPastItsDeadlineGetsTheFallbackRunsAnswerFlaggedAndOthersDeadlineExceeded() throws Exception {
        InferenceResult opted = client.submit(pinned("opted-0", 0, Map.of("deadline_default", "on")))
                .get(30, TimeUnit.SECONDS);
        InferenceResult plain = client.submit(pinned("plain-0", 0, Map.of())).get(30, TimeUnit.SECONDS);

        assertEquals(ResultStatus.OK, opted.getStatus(), opted.toString());
        assertTrue(opted.getDefaultAnswer(), "flagged: a default, not the member's answer");
        assertEquals(cheapestLabel(0), opted.getLabel(), "the fallback run's label for this very input");
        assertEquals(List.of(cheapest.id()), opted.getVariants());
        assertTrue(opted.getVotes().isEmpty(), "no member voted");
        assertEquals(10, opted.getProbabilities().size(), "the fallback's class probabilities");
        assertTrue(opted.getReason().startsWith("deadline passed; missing variants: " + member), opted.getReason());
        assertTrue(opted.getReason().contains("default answer: the fast fallback run of " + cheapest.id()), opted.getReason());
        assertTrue(opted.getCompletedAtMs() >= opted.getDeadlineMs(), "answered at the deadline, not before");

        assertEquals(ResultStatus.DEADLINE_EXCEEDED, plain.getStatus(), plain.toString());
        assertFalse(plain.getDefaultAnswer());
        assertEquals(-1, plain.getLabel());
        assertEquals(0, client.duplicates());
    }

    private static String json(String id, long timeoutMs, String extra, float[] image) {
        StringBuilder data = new StringBuilder();
        for (float f : image) {
            data.append(data.length() == 0 ? "" : ",").append(f);
        }
        return "{\"id\":\"" + id + "\",\"task\":\"fashion-mnist\",\"timeout_ms\":" + timeoutMs + extra
                + ",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[" + data + "]}]}";
    }

    @Test
    void theJsonTopicHonoursRequestedOutputsAndRefusesUnknownOnesByName() throws Exception {
        Map<String, String> requests = Map.of(
                "json-label", json("json-label", 20_000, ",\"policy\":\"fixed:" + cheapest.id()
                        + "\",\"outputs\":[{\"name\":\"probabilities\"},{\"name\":\"label\"}]", test.images()[1]),
                "json-default", json("json-default", TIMEOUT_MS, ",\"policy\":\"fixed:" + member
                        + "\",\"parameters\":{\"deadline_default\":\"on\"},\"outputs\":[{\"name\":\"label\"}]", test.images()[2]),
                "json-unknown", json("json-unknown", 20_000, ",\"outputs\":[{\"name\":\"logits\"}]", test.images()[3]));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                new StringSerializer())) {
            for (var e : requests.entrySet()) {
                p.send(new ProducerRecord<>(Topics.DEFAULT.requestsJson(), e.getKey(), e.getValue())).get();
            }
        }
        Map<String, JsonNode> byId = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = TopicFollower.committedConsumer(kafka, Topics.DEFAULT.resultsJson(),
                new StringDeserializer(), TopicFollower.Start.BEGINNING)) {
            long until = System.currentTimeMillis() + 60_000;
            while (byId.size() < requests.size() && System.currentTimeMillis() < until) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (requests.containsKey(r.key())) {
                        byId.put(r.key(), new ObjectMapper().readTree(r.value()));
                    }
                }
            }
        }
        assertEquals(requests.keySet(), byId.keySet(), "every JSON request answered");

        JsonNode label = byId.get("json-label");
        assertEquals("OK", label.get("parameters").get("status").asText(), label.toString());
        assertEquals(2, label.get("outputs").size(), "only the outputs named: " + label);
        assertEquals("probabilities", label.get("outputs").get(0).get("name").asText());
        assertEquals("label", label.get("outputs").get(1).get("name").asText());
        assertEquals(cheapestLabel(1), label.get("outputs").get(1).get("data").get(0).asInt());

        JsonNode dflt = byId.get("json-default");
        assertTrue(dflt.get("parameters").has("default_answer"), dflt.toString());
        assertTrue(dflt.get("parameters").get("default_answer").asBoolean(), dflt.toString());
        assertEquals(1, dflt.get("outputs").size(), dflt.toString());
        assertEquals(cheapestLabel(2), dflt.get("outputs").get(0).get("data").get(0).asInt());

        JsonNode unknown = byId.get("json-unknown");
        assertEquals("INVALID", unknown.get("parameters").get("status").asText());
        assertEquals("INVALID: unknown output 'logits' (outputs: label, confidence, probabilities) for model 'fashion-mnist'",
                unknown.get("error").asText());
        assertEquals(0, unknown.get("outputs").size());
    }
}
