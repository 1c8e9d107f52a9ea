package dev.sluice.ingest.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Tensor;
import dev.sluice.ingest.json.RequestParseOutcome.Parsed;
import dev.sluice.ingest.json.RequestParseOutcome.Rejected;
import dev.sluice.schemas.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OipJsonRequestParserTest {
    private static final long NOW = 1_700_000_000_000L;
    private final OipJsonRequestParser parser = new OipJsonRequestParser(InstantSource.fixed(Instant.ofEpochMilli(NOW)));

    private InferenceRequest parsed(String json) {
        RequestParseOutcome o = parser.parse(json);
        return assertInstanceOf(Parsed.class, o, () -> "expected Parsed, got " + o).request();
    }

    private Rejected rejected(String json) {
        RequestParseOutcome o = parser.parse(json);
        return assertInstanceOf(Rejected.class, o, () -> "expected Rejected, got " + o);
    }

    private static String request(String inputs) {
        return "{\"id\":\"r1\",\"task\":\"fashion-mnist\",\"deadline_ms\":" + (NOW + 50) + ",\"inputs\":[" + inputs + "]}";
    }

    private static ByteBuffer le(Tensor t) {
        return t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void readsEveryEnvelopeField() {
        InferenceRequest r = parsed("""
                {"id":"r1","model_name":"fashion-mnist","deadline_ms":1700000000100,"created_at_ms":1700000000001,
                 "priority":3,"min_accuracy":0.9,"tier":"gold","tenant":"acme","traceparent":"00-abc-def-01",
                 "modalities":["image","text"],"policy":"infaas","final_only":false,"parameters":{"a":"b","n":2},
                 "inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[0.5,-1.25],"parameters":{"p":true}}]}
                """);
        assertEquals("r1", r.getId());
        assertEquals("fashion-mnist", r.getTask());
        assertEquals(1_700_000_000_100L, r.getDeadlineMs());
        assertEquals(1_700_000_000_001L, r.getCreatedAtMs());
        assertEquals(3, r.getPriority());
        assertEquals(0.9, r.getMinAccuracy());
        assertEquals("gold", r.getTier());
        assertEquals("acme", r.getTenant());
        assertEquals("00-abc-def-01", r.getTraceparent());
        assertEquals(List.of("image", "text"), r.getModalities());
        assertEquals("infaas", r.getPolicy());
        assertEquals(false, r.getFinalOnly());
        assertEquals(Map.of("a", "b", "n", "2"), r.getParameters());
        Tensor t = r.getInputs().get(0);
        assertEquals("input", t.getName());
        assertEquals("FP32", t.getDatatype());
        assertEquals(List.of(1L, 2L), t.getShape());
        assertEquals(Map.of("p", "true"), t.getParameters());
        assertArrayEquals(new float[] {0.5f, -1.25f}, Tensors.readFp32(t));
    }

    @Test
    void defaultsOptionalFields() {
        InferenceRequest r = parsed("""
                {"id":"r2","task":"fashion-mnist","timeout_ms":40,"tier":null,
                 "inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]}]}""");
        assertEquals(NOW, r.getCreatedAtMs());
        assertEquals(NOW + 40, r.getDeadlineMs());
        assertEquals("default", r.getTenant());
        assertEquals(0, r.getPriority());
        assertEquals(0.0, r.getMinAccuracy());
        assertNull(r.getTier());
        assertEquals(List.of("image"), r.getModalities());
        assertEquals(true, r.getFinalOnly());
        assertEquals(Map.of(), r.getParameters());
    }

    @Test
    void timeoutIsRelativeToCreatedAt() {
        InferenceRequest r = parsed("""
                {"id":"r3","task":"t","created_at_ms":1000,"timeout_ms":25,
                 "inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]}]}""");
        assertEquals(1025, r.getDeadlineMs());
    }

    @Test
    void flattensNestedDataRowMajor() {
        Tensor t = parsed(request("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[[1,2],[3,4.5]]}"))
                .getInputs().get(0);
        assertArrayEquals(new float[] {1f, 2f, 3f, 4.5f}, Tensors.readFp32(t));
    }

    @Test
    void encodesIntegerAndBooleanTypesLittleEndian() {
        InferenceRequest r = parsed(request("""
                {"name":"i64","datatype":"INT64","shape":[2],"data":[-2,9007199254740993]},
                {"name":"i32","datatype":"INT32","shape":[1],"data":[258]},
                {"name":"u8","datatype":"UINT8","shape":[2],"data":[0,255]},
                {"name":"i8","datatype":"INT8","shape":[1],"data":[-128]},
                {"name":"b","datatype":"BOOL","shape":[3],"data":[true,false,1]},
                {"name":"f64","datatype":"FP64","shape":[1],"data":[0.1]}"""));
        ByteBuffer i64 = le(r.getInputs().get(0));
        assertEquals(-2L, i64.getLong());
        assertEquals(9007199254740993L, i64.getLong());
        ByteBuffer i32 = le(r.getInputs().get(1));
        assertEquals(4, i32.remaining());
        assertEquals(2, i32.get(0)); // 258 = 0x0102, little-endian low byte first
        assertEquals(258, i32.getInt());
        ByteBuffer u8 = le(r.getInputs().get(2));
        assertEquals(0, u8.get());
        assertEquals(255, Byte.toUnsignedInt(u8.get()));
        assertEquals(-128, le(r.getInputs().get(3)).get());
        ByteBuffer b = le(r.getInputs().get(4));
        assertEquals(List.of((byte) 1, (byte) 0, (byte) 1), List.of(b.get(), b.get(), b.get()));
        assertEquals(0.1, le(r.getInputs().get(5)).getDouble());
    }

    @Test
    void readsTheRequestedOutputsInOrderRefusingMalformedOnes() {
        String input = "{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}";
        String r = request(input);
        assertEquals(List.of(), parsed(r).getOutputs(), "none named: every output");
        String named = r.substring(0, r.length() - 1) + ",\"outputs\":[{\"name\":\"probabilities\"},{\"name\":\"label\"}]}";
        assertEquals(List.of("probabilities", "label"), parsed(named).getOutputs());
        assertTrue(rejected(r.substring(0, r.length() - 1) + ",\"outputs\":[{\"name\":\"a\"},{\"name\":\"a\"}]}").reason()
                .contains("output 'a' requested twice"));
        assertTrue(rejected(r.substring(0, r.length() - 1) + ",\"outputs\":[\"label\"]}").reason()
                .contains("'outputs' must be an array of {\"name\": ...}"));
    }

    @Test
    void rejectsStructuralProblemsWithTheIdAndFieldName() {
        Map<String, String> cases = Map.of(
                "{\"id\":\"r1\",\"deadline_ms\":1,\"inputs\":[]}", "'task'",
                "{\"id\":\"r1\",\"task\":\"t\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}",
                "'deadline_ms'",
                request("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[1,2,3]}"),
                "'data' has 3 elements but 'shape' [1, 1, 28, 28] holds 784",
                request("{\"name\":\"x\",\"datatype\":\"FP17\",\"shape\":[1],\"data\":[1]}"), "'datatype' 'FP17'",
                request("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,\"two\"]}"), "must hold only numbers",
                request("{\"name\":\"x\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"abc\"]}"), "BYTES is not supported",
                request("{\"name\":\"x\",\"datatype\":\"UINT8\",\"shape\":[1],\"data\":[256]}"), "out of UINT8 range",
                request("{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1.5]}"), "must be integers",
                request(""), "'inputs'",
                "{\"id\":\"r1\",\"task\":\"t\",\"deadline_ms\":1,\"timeout_ms\":2,\"inputs\":[]}", "not both");
        cases.forEach((json, expected) -> {
            Rejected r = rejected(json);
            assertEquals("r1", r.id(), json);
            assertTrue(r.reason().contains(expected), () -> json + " -> " + r.reason());
        });
    }

    @Test
    void rejectsNanAndInfinityTokens() {
        for (String token : List.of("NaN", "Infinity", "-Infinity")) {
            Rejected r = rejected(request("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1," + token + "]}"));
            assertEquals("r1", r.id());
            assertEquals("fashion-mnist", r.task());
            assertEquals("input 'x' contains NaN or Infinity", r.reason());
        }
    }

    @Test
    void rejectsWithoutIdWhenNoIdCanBeRead() {
        assertNull(rejected("{\"task\":\"t\"}").id());
        assertNull(rejected("{\"id\":7}").id());
        assertTrue(rejected("{\"id\":7}").reason().contains("'id'"));
        assertTrue(rejected("not json").reason().startsWith("not valid JSON"));
        assertTrue(rejected("{\"id\":\"r1\"} trailing").reason().startsWith("not valid JSON"));
        assertEquals("not a JSON object", rejected("[1,2]").reason());
        assertEquals("not a JSON object", rejected("").reason());
        RequestParseOutcome bad = parser.parse(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        assertEquals(new Rejected(null, "value is not valid UTF-8"), bad);
        assertEquals(new Rejected(null, "empty record value"), parser.parse((byte[]) null));
    }

    @Test
    void parsesUtf8Bytes() {
        byte[] json = request("{\"name\":\"é\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[2]}").getBytes(StandardCharsets.UTF_8);
        RequestParseOutcome o = parser.parse(json);
        assertEquals("é", assertInstanceOf(Parsed.class, o).request().getInputs().get(0).getName());
    }

    @Test
    void invalidRequestCarriesTheReason() {
        InferenceRequest r = new Rejected("r9", null, "bad shape").toInvalidRequest(NOW);
        assertEquals("r9", r.getId());
        assertEquals("unknown", r.getTask());
        assertEquals(NOW, r.getCreatedAtMs());
        assertEquals(NOW, r.getDeadlineMs());
        assertTrue(r.getInputs().isEmpty());
        assertEquals(Map.of("sluice.invalid", "bad shape"), r.getParameters());
    }
}
