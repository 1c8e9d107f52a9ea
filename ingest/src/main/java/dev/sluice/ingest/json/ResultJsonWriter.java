package dev.sluice.ingest.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.Vote;
import java.io.UncheckedIOException;

/**
 * Renders an {@link InferenceResult} as an Open Inference Protocol style response: the label and
 * confidence as {@code outputs} tensors, plus Sluice's status, votes and latency breakdown.
 * Thread-safe.
 */
public final class ResultJsonWriter {
    private final JsonMapper mapper = JsonMapper.builder().build();

    public String write(InferenceResult result) {
        try {
            return mapper.writeValueAsString(toJson(result));
        } catch (JsonProcessingException e) {
            // a tree of plain nodes always serialises
            throw new UncheckedIOException(e);
        }
    }

    public ObjectNode toJson(InferenceResult r) {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", r.getRequestId());
        root.put("model_name", r.getVariants().isEmpty() ? null : r.getVariants().get(0));
        root.put("status", r.getStatus().name());
        root.put("revision", r.getRevision());
        root.put("final", r.getFinal$());
        ArrayNode outputs = root.putArray("outputs");
        if (r.getLabel() >= 0) {
            ObjectNode label = output(outputs, "label", "INT64");
            label.putArray("data").add((long) r.getLabel());
            ObjectNode confidence = output(outputs, "confidence", "FP32");
            confidence.putArray("data").add(r.getConfidence());
        }
        ArrayNode variants = root.putArray("variants");
        r.getVariants().forEach(variants::add);
        ArrayNode votes = root.putArray("votes");
        for (Vote v : r.getVotes()) {
            votes.addObject()
                    .put("variant", v.getVariant())
                    .put("label", v.getLabel())
                    .put("confidence", v.getConfidence());
        }
        root.put("reason", r.getReason());
        root.put("policy", r.getPolicy());
        StageLatency l = r.getLatency();
        root.putObject("latency_ms")
                .put("ingest", l.getIngestMs())
                .put("select", l.getSelectMs())
                .put("queue", l.getQueueMs())
                .put("compute", l.getComputeMs())
                .put("aggregate", l.getAggregateMs())
                .put("total", l.getTotalMs());
        root.put("created_at_ms", r.getCreatedAtMs());
        root.put("deadline_ms", r.getDeadlineMs());
        root.put("completed_at_ms", r.getCompletedAtMs());
        return root;
    }

    private static ObjectNode output(ArrayNode outputs, String name, String datatype) {
        ObjectNode o = outputs.addObject().put("name", name).put("datatype", datatype);
        o.putArray("shape").add(1);
        return o;
    }
}
