package dev.sluice.ingest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.Vote;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultJsonWriterTest {
    private final ObjectMapper mapper = new ObjectMapper();

    static InferenceResult okResult() {
        return InferenceResult.newBuilder()
                .setRequestId("r1")
                .setTask("fashion-mnist")
                .setStatus(ResultStatus.OK)
                .setRevision(2)
                .setFinal$(true)
                .setLabel(7)
                .setConfidence(0.75f)
                .setProbabilities(List.of(0.0f, 0.05f, 0f, 0f, 0f, 0f, 0f, 0.75f, 0.2f, 0f))
                .setVariants(List.of("cnn-small", "mlp"))
                .setVotes(List.of(new Vote("cnn-small", 7, 0.75f), new Vote("mlp", 3, 0.5f)))
                .setLatency(new StageLatency(1.0, 0.5, 2.0, 3.0, 0.25, 6.75))
                .setPolicy("infaas")
                .setCreatedAtMs(1000L)
                .setDeadlineMs(1050L)
                .setCompletedAtMs(1007L)
                .build();
    }

    @Test
    void writesAnOipInferenceResponse() throws Exception {
        JsonNode j = mapper.readTree(new ResultJsonWriter().write(okResult()));
        List<String> fields = new ArrayList<>();
        j.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("model_name", "id", "parameters", "outputs"), fields, "OIP's fields only, extras in parameters");
        assertEquals("r1", j.get("id").textValue());
        assertEquals("fashion-mnist", j.get("model_name").textValue(), "the model requested, not a variant");
        JsonNode label = j.get("outputs").get(0);
        assertEquals("label", label.get("name").textValue());
        assertEquals("INT64", label.get("datatype").textValue());
        assertEquals(1, label.get("shape").get(0).intValue());
        assertEquals(7, label.get("data").get(0).longValue());
        JsonNode confidence = j.get("outputs").get(1);
        assertEquals("confidence", confidence.get("name").textValue());
        assertEquals("FP32", confidence.get("datatype").textValue());
        assertEquals(0.75, confidence.get("data").get(0).doubleValue());
        JsonNode probabilities = j.get("outputs").get(2);
        assertEquals("probabilities", probabilities.get("name").textValue());
        assertEquals("[1,10]", probabilities.get("shape").toString());
        assertEquals(0.2, probabilities.get("data").get(8).doubleValue(), 1e-6);

        JsonNode p = j.get("parameters");
        assertEquals("OK", p.get("status").textValue());
        assertEquals(2, p.get("revision").intValue());
        assertTrue(p.get("final").booleanValue());
        assertEquals("cnn-small,mlp", p.get("variants").textValue());
        assertEquals("cnn-small:7:0.7500,mlp:3:0.5000", p.get("votes").textValue());
        assertFalse(p.has("reason"));
        assertEquals("infaas", p.get("policy").textValue());
        assertEquals(1.0, p.get("latency_ingest_ms").doubleValue());
        assertEquals(0.5, p.get("latency_select_ms").doubleValue());
        assertEquals(2.0, p.get("latency_queue_ms").doubleValue());
        assertEquals(3.0, p.get("latency_compute_ms").doubleValue());
        assertEquals(0.25, p.get("latency_aggregate_ms").doubleValue());
        assertEquals(6.75, p.get("latency_total_ms").doubleValue());
        assertEquals(1000L, p.get("created_at_ms").longValue());
        assertEquals(1050L, p.get("deadline_ms").longValue());
        assertEquals(1007L, p.get("completed_at_ms").longValue());
        p.fields().forEachRemaining(e -> assertTrue(e.getValue().isValueNode(), e.getKey() + " is a scalar, as OIP parameters are"));
    }

    @Test
    void aCachedOrDefaultAnswerSaysSoInItsParameters() throws Exception {
        JsonNode plain = mapper.readTree(new ResultJsonWriter().write(okResult())).get("parameters");
        assertTrue(plain.get("cached") == null && plain.get("default_answer") == null, "only when set");
        JsonNode cached = mapper.readTree(new ResultJsonWriter().write(InferenceResult.newBuilder(okResult()).setCached(true)
                .setVotes(List.of()).build()));
        assertTrue(cached.get("parameters").get("cached").booleanValue());
        assertEquals(7, cached.get("outputs").get(0).get("data").get(0).longValue());
        JsonNode d = mapper.readTree(new ResultJsonWriter().write(InferenceResult.newBuilder(okResult()).setDefaultAnswer(true)
                .setVotes(List.of()).build()));
        assertTrue(d.get("parameters").get("default_answer").booleanValue());
    }

    @Test
    void theOutputsTheRequestNamedAreTheOnlyOnesWrittenInItsOrder() throws Exception {
        InferenceResult r = InferenceResult.newBuilder(okResult()).setRequestedOutputs(List.of("probabilities", "label")).build();
        JsonNode j = mapper.readTree(new ResultJsonWriter().write(r));
        assertEquals(2, j.get("outputs").size());
        assertEquals("probabilities", j.get("outputs").get(0).get("name").textValue());
        assertEquals("label", j.get("outputs").get(1).get("name").textValue());
        assertEquals(7, j.get("outputs").get(1).get("data").get(0).longValue());
    }

    @Test
    void aModelThatAnswersWithTensorsHasThemAsItsOutputsWhateverTheirDatatype() throws Exception {
        java.nio.ByteBuffer emb = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putFloat(0.5f).putFloat(-0.25f).putFloat(1f).flip();
        java.nio.ByteBuffer ids = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(-3).putLong(1L << 40).flip();
        java.nio.ByteBuffer flags = java.nio.ByteBuffer.wrap(new byte[] {1, 0});
        InferenceResult r = InferenceResult.newBuilder(okResult()).setLabel(-1).setConfidence(0f).setProbabilities(List.of())
                .setOutputs(List.of(new dev.sluice.avro.Tensor("embedding", "FP32", List.of(1L, 3L), emb, java.util.Map.of()),
                        new dev.sluice.avro.Tensor("ids", "INT64", List.of(1L, 2L), ids, java.util.Map.of()),
                        new dev.sluice.avro.Tensor("mask", "BOOL", List.of(1L, 2L), flags, java.util.Map.of())))
                .build();
        JsonNode j = mapper.readTree(new ResultJsonWriter().write(r));
        assertFalse(j.has("error"), j.toString());
        JsonNode out = j.get("outputs");
        assertEquals(3, out.size(), "the model's tensors, no label, confidence or probabilities");
        assertEquals("embedding", out.get(0).get("name").textValue());
        assertEquals("FP32", out.get(0).get("datatype").textValue());
        assertEquals("[1,3]", out.get(0).get("shape").toString());
        assertEquals("[0.5,-0.25,1.0]", out.get(0).get("data").toString());
        assertEquals("[-3,1099511627776]", out.get(1).get("data").toString());
        assertEquals("[true,false]", out.get(2).get("data").toString());
        JsonNode only = mapper.readTree(new ResultJsonWriter().write(InferenceResult.newBuilder(r)
                .setRequestedOutputs(List.of("mask", "embedding")).build())).get("outputs");
        assertEquals("mask", only.get(0).get("name").textValue());
        assertEquals("embedding", only.get(1).get("name").textValue());
        assertEquals(2, only.size());
    }

    @Test
    void anUnansweredRequestCarriesAnErrorAndNoOutputs() throws Exception {
        InferenceResult invalid = InferenceResult.newBuilder(okResult())
                .setStatus(ResultStatus.INVALID)
                .setLabel(-1)
                .setProbabilities(List.of())
                .setVariants(List.of())
                .setVotes(List.of())
                .setReason("input 'x' contains NaN or Infinity")
                .build();
        JsonNode j = mapper.readTree(new ResultJsonWriter().write(invalid));
        assertEquals("INVALID: input 'x' contains NaN or Infinity", j.get("error").textValue());
        assertEquals("INVALID", j.get("parameters").get("status").textValue());
        assertEquals("fashion-mnist", j.get("model_name").textValue());
        assertEquals(0, j.get("outputs").size());
        assertFalse(j.get("parameters").has("votes"));

        JsonNode rejected = mapper.readTree(new ResultJsonWriter().write(InferenceResult.newBuilder(invalid)
                .setStatus(ResultStatus.REJECTED).setReason("no variant reaches min_accuracy 0.99").build()));
        assertEquals("REJECTED: no variant reaches min_accuracy 0.99", rejected.get("error").textValue());
    }

    @Test
    void aResultFromAnOlderAggregatorHasNoModelName() throws Exception {
        JsonNode j = mapper.readTree(new ResultJsonWriter().write(InferenceResult.newBuilder(okResult()).setTask("").build()));
        assertTrue(j.get("model_name").isNull());
    }

    @Test
    void aGatewayCallGetsTheOutputsItAskedForInItsOrder() {
        OipInferResponse r = OipInferResponse.of(okResult(), "fashion-mnist", null, List.of("probabilities", "label"));
        assertEquals(List.of("probabilities", "label"), r.outputs().stream().map(OipInferResponse.Output::name).toList());
        assertEquals(null, r.error());
    }
}
