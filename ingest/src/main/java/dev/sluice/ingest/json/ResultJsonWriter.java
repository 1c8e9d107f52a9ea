package dev.sluice.ingest.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.avro.InferenceResult;
import java.io.UncheckedIOException;

/**
 * Renders an {@link InferenceResult} for {@code sluice.results.json} as an Open Inference Protocol
 * (KServe v2) inference response, the same shape the OIP gateway answers with
 * ({@link OipInferResponse}): {@code id} (the request id), {@code model_name} (the task the
 * request named), {@code outputs} ({@code label} INT64 [1], {@code confidence} FP32 [1],
 * {@code probabilities} FP32 [1, classes], or the model's own output tensors for a model that
 * answers with tensors; only those the request named when it named any; none without an answer),
 * {@code error} when the request
 * was not answered (INVALID, REJECTED, DEADLINE_EXCEEDED: the status and the reason), and
 * Sluice's status, revision, variants, votes, policy, stage latencies and times as scalar
 * {@code parameters}. Thread-safe.
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
        return OipInferResponse.of(r).toJson();
    }
}
