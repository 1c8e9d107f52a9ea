package dev.sluice.ingest.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ingest.json.RequestParseOutcome.Rejected;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads an Open Inference Protocol (KServe v2) inference request as a server receives it: the
 * model named apart (the URL path, or the gRPC request's {@code model_name}), Sluice's scheduling
 * envelope in {@code parameters}. The body is rewritten into the shape the JSON bridge reads and
 * parsed by the same {@link OipJsonRequestParser}, so both ways in check a request the same way.
 *
 * <p>Envelope parameters, lifted out of {@code parameters}: {@value #ENVELOPE_LIST}. Without
 * {@code timeout_ms} or {@code deadline_ms} the request gets the default timeout. Other parameters
 * stay request parameters. The client's {@code id} is not the Kafka request id: clients reuse ids
 * (many send none, or "1"), and the pipeline answers each request id once, so the caller passes a
 * unique {@code requestId} and echoes the client's id in its answer. Thread-safe.
 */
public final class OipInferRequestParser {
    static final String ENVELOPE_LIST = "timeout_ms, deadline_ms, min_accuracy, priority, tenant, tier, policy, traceparent";
    /** Request parameters that are Sluice's envelope rather than model parameters. */
    public static final List<String> ENVELOPE_PARAMETERS = List.of(ENVELOPE_LIST.split(", "));
    /** Body fields the gateway reads itself; every other top-level field is refused by name. */
    private static final Set<String> BODY_FIELDS = Set.of("id", "model_name", "model_version", "parameters", "inputs", "outputs");

    private final OipJsonRequestParser parser;
    private final long defaultTimeoutMs;
    private final java.util.function.BiFunction<String, List<String>, String> outputsProblem;

    /** A parser for classifier models: the outputs a request may name are label, confidence and probabilities. */
    public OipInferRequestParser(OipJsonRequestParser parser, long defaultTimeoutMs) {
        this(parser, defaultTimeoutMs, (model, named) -> named.stream().filter(n -> !OipInferResponse.OUTPUTS.contains(n))
                .findFirst().map(n -> "unknown output '" + n + "' (outputs: " + String.join(", ", OipInferResponse.OUTPUTS) + ")")
                .orElse(null));
    }

    /**
     * @param outputsProblem why a model cannot have the outputs a request named, or null
     *     ({@code Catalog::outputsProblem}, the selector's own check)
     */
    public OipInferRequestParser(OipJsonRequestParser parser, long defaultTimeoutMs,
            java.util.function.BiFunction<String, List<String>, String> outputsProblem) {
        this.outputsProblem = Objects.requireNonNull(outputsProblem, "outputsProblem");
        this.parser = Objects.requireNonNull(parser, "parser");
        if (defaultTimeoutMs <= 0) {
            throw new IllegalArgumentException("default timeout must be > 0 ms, got " + defaultTimeoutMs);
        }
        this.defaultTimeoutMs = defaultTimeoutMs;
    }

    /** What a body asked for: the request (or why not), the client's id, and the outputs it named (empty: all). */
    public record Call(RequestParseOutcome outcome, String clientId, List<String> requestedOutputs) {}

    /** Parses a UTF-8 JSON body sent for {@code model}; {@code requestId} becomes the Kafka request id. */
    public Call parse(String model, byte[] body, String requestId) {
        JsonNode root;
        try {
            root = parser.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            return rejected(requestId, model, null, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return rejected(requestId, model, null, "unreadable body: " + e.getMessage());
        }
        return parse(model, root, requestId);
    }

    /** As {@link #parse(String, byte[], String)}, for a JSON tree (the gRPC request, converted). */
    public Call parse(String model, JsonNode root, String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        if (root == null || !root.isObject()) {
            return rejected(requestId, model, null, "the body must be a JSON object");
        }
        JsonNode idNode = root.get("id");
        String clientId = idNode != null && idNode.isTextual() ? idNode.textValue() : null;
        try {
            List<String> outputs = OipJsonRequestParser.outputs(root.get("outputs"));
            String problem = outputsProblem.apply(model, outputs);
            if (problem != null) {
                throw new InvalidFieldException(problem);
            }
            ObjectNode bridge = rewrite(model, (ObjectNode) root, requestId);
            return new Call(parser.parse(bridge), clientId, outputs);
        } catch (InvalidFieldException e) {
            return rejected(requestId, model, clientId, e.getMessage());
        }
    }

    private static Call rejected(String requestId, String model, String clientId, String reason) {
        return new Call(new Rejected(requestId, model, reason), clientId, List.of());
    }

    private ObjectNode rewrite(String model, ObjectNode body, String requestId) {
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            if (!BODY_FIELDS.contains(e.getKey())) {
                throw new InvalidFieldException("unknown field '" + e.getKey() + "' (Sluice's envelope goes in 'parameters': "
                        + ENVELOPE_LIST + ")");
            }
        }
        JsonNode id = body.get("id");
        if (id != null && !id.isNull() && !id.isTextual()) {
            throw new InvalidFieldException("'id' must be a string");
        }
        JsonNode named = body.get("model_name");
        if (named != null && !named.isNull() && !(named.isTextual() && named.textValue().equals(model))) {
            throw new InvalidFieldException("'model_name' " + named + " disagrees with the model '" + model + "' called");
        }
        if (model == null || model.isBlank()) {
            throw new InvalidFieldException("no model named");
        }
        ObjectNode out = body.objectNode();
        out.put("id", requestId);
        out.put("task", model);
        JsonNode params = body.get("parameters");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new InvalidFieldException("'parameters' must be an object");
        }
        ObjectNode rest = body.objectNode();
        if (params != null && params.isObject()) {
            for (Map.Entry<String, JsonNode> e : params.properties()) {
                if (ENVELOPE_PARAMETERS.contains(e.getKey())) {
                    out.set(e.getKey(), e.getValue());
                } else {
                    rest.set(e.getKey(), e.getValue());
                }
            }
        }
        if (!out.has("timeout_ms") && !out.has("deadline_ms")) {
            out.put("timeout_ms", defaultTimeoutMs);
        }
        out.put("final_only", true);
        if (!rest.isEmpty()) {
            out.set("parameters", rest);
        }
        out.set("inputs", body.get("inputs"));
        if (body.has("outputs")) {
            out.set("outputs", body.get("outputs")); // carried to the result, which renders only these
        }
        return out;
    }
}
