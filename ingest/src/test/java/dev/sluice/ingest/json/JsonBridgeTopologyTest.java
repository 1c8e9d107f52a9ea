package dev.sluice.ingest.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.Tensor;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JsonBridgeTopologyTest {
    private static final long NOW = 1_700_000_000_000L;
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> requestsJson;
    private TestOutputTopic<String, InferenceRequest> requests;
    private TestOutputTopic<byte[], byte[]> dlq;
    private TestInputTopic<String, InferenceResult> results;
    private TestOutputTopic<String, String> resultsJson;

    @BeforeEach
    void setUp() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "json-bridge-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put("processing.exception.handler.global.enabled", true);
        driver = new TopologyTestDriver(
                JsonBridgeTopology.build(serdes, InstantSource.fixed(Instant.ofEpochMilli(NOW))), p);
        requestsJson = driver.createInputTopic(Topics.DEFAULT.requestsJson(), new ByteArraySerializer(), new ByteArraySerializer());
        requests = driver.createOutputTopic(Topics.DEFAULT.requests(), new StringDeserializer(), serdes.<InferenceRequest>deserializer());
        dlq = driver.createOutputTopic(Topics.DEFAULT.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        results = driver.createInputTopic(Topics.DEFAULT.results(), new StringSerializer(), serdes.<InferenceResult>serializer());
        resultsJson = driver.createOutputTopic(Topics.DEFAULT.resultsJson(), new StringDeserializer(), new StringDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void send(String json) {
        requestsJson.pipeInput(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void validJsonBecomesAnAvroRequestKeyedById() {
        float[] pixels = new float[784];
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i / 784f;
            data.append(i == 0 ? "" : ",").append(pixels[i]);
        }
        send("{\"id\":\"r1\",\"task\":\"fashion-mnist\",\"deadline_ms\":" + (NOW + 30) + ",\"priority\":1,"
                + "\"min_accuracy\":0.9,\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],"
                + "\"data\":[" + data + "]}]}");
        TestRecord<String, InferenceRequest> out = requests.readRecord();
        assertEquals("r1", out.key());
        InferenceRequest r = out.value();
        assertEquals("fashion-mnist", r.getTask());
        assertEquals(NOW, r.getCreatedAtMs());
        assertEquals(NOW + 30, r.getDeadlineMs());
        assertEquals(1, r.getPriority());
        assertEquals(0.9, r.getMinAccuracy());
        Tensor t = r.getInputs().get(0);
        assertEquals(List.of(1L, 1L, 28L, 28L), t.getShape());
        assertArrayEquals(pixels, Tensors.readFp32(t));
        assertTrue(dlq.isEmpty());
    }

    @Test
    void nestedDataAndTimeout() {
        send("""
                {"id":"r2","model_name":"fashion-mnist","timeout_ms":45,
                 "inputs":[{"name":"input","datatype":"FP32","shape":[1,2,3],"data":[[[1,2,3],[4,5,6]]]}]}""");
        InferenceRequest r = requests.readValue();
        assertEquals("r2", r.getId());
        assertEquals("fashion-mnist", r.getTask());
        assertEquals(NOW + 45, r.getDeadlineMs());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Tensors.readFp32(r.getInputs().get(0)));
    }

    @Test
    void wrongDataLengthBecomesAnInvalidRequest() {
        send("""
                {"id":"r3","task":"fashion-mnist","deadline_ms":1700000000050,
                 "inputs":[{"name":"input","datatype":"FP32","shape":[1,1,28,28],"data":[1,2,3]}]}""");
        TestRecord<String, InferenceRequest> out = requests.readRecord();
        assertEquals("r3", out.key());
        InferenceRequest r = out.value();
        assertEquals("fashion-mnist", r.getTask());
        assertEquals(NOW, r.getCreatedAtMs());
        assertEquals(NOW, r.getDeadlineMs());
        assertTrue(r.getInputs().isEmpty());
        assertEquals(Map.of(RequestParseOutcome.INVALID_REASON_PARAMETER,
                "input 'input': 'data' has 3 elements but 'shape' [1, 1, 28, 28] holds 784"), r.getParameters());
        assertTrue(dlq.isEmpty());
    }

    @Test
    void unanswerableRecordsGoToTheDlqWithReasonAndOriginalBytes() {
        byte[] noId = "{\"task\":\"fashion-mnist\"}".getBytes(StandardCharsets.UTF_8);
        byte[] notJson = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] notUtf8 = {'{', (byte) 0xFF, (byte) 0xFE, '}'};
        byte[] key = {1, 2, 3};
        requestsJson.pipeInput(key, noId);
        requestsJson.pipeInput(notJson);
        requestsJson.pipeInput(notUtf8);

        TestRecord<byte[], byte[]> first = dlq.readRecord();
        assertArrayEquals(key, first.key());
        assertArrayEquals(noId, first.value());
        assertEquals("missing field 'id' (a non-empty string); a request without a usable id cannot be answered",
                header(first.headers(), Topics.DLQ_REASON_HEADER));
        assertEquals(Topics.DEFAULT.requestsJson(), header(first.headers(), Topics.DLQ_SOURCE_TOPIC_HEADER));
        assertEquals("0", header(first.headers(), Topics.DLQ_SOURCE_PARTITION_HEADER));
        assertEquals("0", header(first.headers(), Topics.DLQ_SOURCE_OFFSET_HEADER));

        TestRecord<byte[], byte[]> second = dlq.readRecord();
        assertNull(second.key());
        assertArrayEquals(notJson, second.value());
        assertTrue(header(second.headers(), Topics.DLQ_REASON_HEADER).startsWith("not valid JSON"));
        assertEquals("1", header(second.headers(), Topics.DLQ_SOURCE_OFFSET_HEADER));

        TestRecord<byte[], byte[]> third = dlq.readRecord();
        assertArrayEquals(notUtf8, third.value());
        assertEquals("value is not valid UTF-8", header(third.headers(), Topics.DLQ_REASON_HEADER));
        assertEquals("2", header(third.headers(), Topics.DLQ_SOURCE_OFFSET_HEADER));
        assertTrue(requests.isEmpty());
    }

    @Test
    void aNumericIdIsNamedAsSuch() {
        send("{\"id\":42,\"task\":\"fashion-mnist\",\"timeout_ms\":100,\"inputs\":[]}");
        assertEquals("'id' must be a string, got a number (42); quote it; a request without a usable id cannot be answered",
                header(dlq.readRecord().headers(), Topics.DLQ_REASON_HEADER));
        assertTrue(requests.isEmpty());
    }

    @Test
    void aRequestTooLargeToForwardIsAnsweredInvalidNamingTheLimit() {
        String big = "x".repeat(1_100_000);
        send("{\"id\":\"huge\",\"task\":\"fashion-mnist\",\"timeout_ms\":1000,\"parameters\":{\"note\":\"" + big + "\"},"
                + "\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[0.5]}]}");
        TestRecord<String, InferenceRequest> out = requests.readRecord();
        assertEquals("huge", out.key());
        String reason = out.value().getParameters().get(RequestParseOutcome.INVALID_REASON_PARAMETER);
        assertTrue(reason.startsWith("request too large: ") && reason.contains("limit of " + JsonBridgeApp.MAX_RECORD_BYTES + " bytes"),
                reason);
        assertEquals("fashion-mnist", out.value().getTask());
        assertTrue(out.value().getInputs().isEmpty());
        assertTrue(dlq.isEmpty());
    }

    @Test
    void anUndecodableRecordTooLargeToCopyKeepsItsFirstBytesAndItsSize() {
        byte[] garbage = new byte[2_000_000];
        java.util.Arrays.fill(garbage, (byte) 'x');
        requestsJson.pipeInput(garbage);
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertEquals(dev.sluice.common.DeadLetters.MAX_VALUE_BYTES, dead.value().length);
        assertEquals("2000000", header(dead.headers(), Topics.DLQ_ORIGINAL_BYTES_HEADER));
        assertEquals("0", header(dead.headers(), Topics.DLQ_SOURCE_OFFSET_HEADER));
        assertTrue(header(dead.headers(), Topics.DLQ_REASON_HEADER).startsWith("not valid JSON"));
    }

    @Test
    void resultBecomesJsonKeyedByRequestId() throws Exception {
        results.pipeInput("r1", ResultJsonWriterTest.okResult());
        TestRecord<String, String> out = resultsJson.readRecord();
        assertEquals("r1", out.key());
        JsonNode j = new ObjectMapper().readTree(out.value());
        assertEquals("r1", j.get("id").textValue());
        assertEquals("OK", j.get("parameters").get("status").textValue());
        assertEquals("fashion-mnist", j.get("model_name").textValue());
        assertEquals(7, j.get("outputs").get(0).get("data").get(0).intValue());
        assertEquals(0.75, j.get("outputs").get(1).get("data").get(0).doubleValue());
        assertEquals(6.75, j.get("parameters").get("latency_total_ms").doubleValue());
    }
}
