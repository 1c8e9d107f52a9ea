package dev.sluice.ingest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.Vote;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultJsonWriterTest {
    private final ObjectMapper mapper = new ObjectMapper();

    static InferenceResult okResult() {
        return InferenceResult.newBuilder()
                .setRequestId("r1")
                .setStatus(ResultStatus.OK)
                .setRevision(2)
                .setFinal$(true)
                .setLabel(7)
                .setConfidence(0.75f)
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
    void writesAnOipStyleResponse() throws Exception {
        JsonNode j = mapper.readTree(new ResultJsonWriter().write(okResult()));
        assertEquals("r1", j.get("id").textValue());
        assertEquals("cnn-small", j.get("model_name").textValue());
        assertEquals("OK", j.get("status").textValue());
        assertEquals(2, j.get("revision").intValue());
        assertTrue(j.get("final").booleanValue());
        JsonNode label = j.get("outputs").get(0);
        assertEquals("label", label.get("name").textValue());
        assertEquals("INT64", label.get("datatype").textValue());
        assertEquals(1, label.get("shape").get(0).intValue());
        assertEquals(7, label.get("data").get(0).longValue());
        JsonNode confidence = j.get("outputs").get(1);
        assertEquals("confidence", confidence.get("name").textValue());
        assertEquals("FP32", confidence.get("datatype").textValue());
        assertEquals(0.75, confidence.get("data").get(0).doubleValue());
        assertEquals("mlp", j.get("variants").get(1).textValue());
        JsonNode vote = j.get("votes").get(1);
        assertEquals("mlp", vote.get("variant").textValue());
        assertEquals(3, vote.get("label").intValue());
        assertEquals(0.5, vote.get("confidence").doubleValue());
        assertTrue(j.get("reason").isNull());
        assertEquals("infaas", j.get("policy").textValue());
        JsonNode latency = j.get("latency_ms");
        assertEquals(1.0, latency.get("ingest").doubleValue());
        assertEquals(0.5, latency.get("select").doubleValue());
        assertEquals(2.0, latency.get("queue").doubleValue());
        assertEquals(3.0, latency.get("compute").doubleValue());
        assertEquals(0.25, latency.get("aggregate").doubleValue());
        assertEquals(6.75, latency.get("total").doubleValue());
        assertEquals(1000L, j.get("created_at_ms").longValue());
        assertEquals(1050L, j.get("deadline_ms").longValue());
        assertEquals(1007L, j.get("completed_at_ms").longValue());
    }

    @Test
    void noOutputsWithoutALabel() throws Exception {
        InferenceResult invalid = InferenceResult.newBuilder(okResult())
                .setStatus(ResultStatus.INVALID)
                .setLabel(-1)
                .setVariants(List.of())
                .setVotes(List.of())
                .setReason("input 'x' contains NaN or Infinity")
                .build();
        JsonNode j = mapper.readTree(new ResultJsonWriter().write(invalid));
        assertEquals("INVALID", j.get("status").textValue());
        assertTrue(j.get("model_name").isNull());
        assertEquals(0, j.get("outputs").size());
        assertEquals(0, j.get("votes").size());
        assertEquals("input 'x' contains NaN or Infinity", j.get("reason").textValue());
    }
}
