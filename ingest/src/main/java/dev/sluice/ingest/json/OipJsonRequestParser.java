package dev.sluice.ingest.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Tensor;
import dev.sluice.ingest.json.RequestParseOutcome.Parsed;
import dev.sluice.ingest.json.RequestParseOutcome.Rejected;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Parses an Open Inference Protocol (KServe v2) inference request, extended with Sluice's
 * scheduling envelope ({@code task} or {@code model_name}, {@code deadline_ms} or
 * {@code timeout_ms}, {@code priority}, {@code min_accuracy}, ...), into an Avro
 * {@link InferenceRequest}. Structural checks only: whether the task and its inputs fit a model
 * is the selector's call, against the catalog. Thread-safe.
 */
public final class OipJsonRequestParser {
    /** Longest request id accepted (it keys every record of the request, up to the result). */
    public static final int MAX_ID_CHARS = 256;
    private final InstantSource clock;
    // NaN/Infinity tokens are read so that they get a precise reason instead of "not JSON"
    private final JsonMapper mapper = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public OipJsonRequestParser(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The JSON reader this parser uses (NaN and Infinity read, so that they get a precise reason). */
    JsonMapper mapper() {
        return mapper;
    }

    /** Parses a Kafka record value: must be UTF-8 JSON; null (a tombstone) is rejected. */
    public RequestParseOutcome parse(byte[] utf8) {
        if (utf8 == null) {
            return new Rejected(null, "empty record value");
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Rejected(null, "value is not valid UTF-8");
        }
        return parse(json);
    }

    public RequestParseOutcome parse(String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            return new Rejected(null, "not valid JSON: " + e.getOriginalMessage());
        }
        return parse(root);
    }

    /** Parses a JSON tree already read (the gateway's requests, rewritten by {@link OipInferRequestParser}). */
    public RequestParseOutcome parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            return new Rejected(null, "not a JSON object");
        }
        JsonNode id = root.get("id");
        String badId = badId(id);
        if (badId != null) {
            return new Rejected(null, badId + "; a request without a usable id cannot be answered");
        }
        String task = readableTask(root);
        try {
            return new Parsed(request(id.textValue(), root));
        } catch (InvalidFieldException e) {
            return new Rejected(id.textValue(), task, e.getMessage());
        }
    }

    /** Why {@code id} cannot key a request, or null when it can. */
    private static String badId(JsonNode id) {
        if (id == null || id.isNull()) {
            return "missing field 'id' (a non-empty string)";
        }
        if (!id.isTextual()) {
            String shown = id.isValueNode() ? " (" + dev.sluice.common.DeadLetters.clip(id.asText(), 40) + ")" : "";
            return "'id' must be a string, got " + kind(id) + shown + "; quote it";
        }
        if (id.textValue().isBlank()) {
            return "'id' is blank";
        }
        if (id.textValue().length() > MAX_ID_CHARS) {
            return "'id' is " + id.textValue().length() + " characters; at most " + MAX_ID_CHARS;
        }
        return null;
    }

    /** The JSON type of {@code n} in words, for reasons. */
    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NULL, MISSING -> "null";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private InferenceRequest request(String id, JsonNode root) {
        long createdAt = optionalLong(root, "created_at_ms", clock.millis());
        return InferenceRequest.newBuilder()
                .setId(id)
                .setTask(task(root))
                .setTenant(optionalText(root, "tenant", "default"))
                .setCreatedAtMs(createdAt)
                .setDeadlineMs(deadline(root, createdAt))
                .setPriority(optionalInt(root, "priority", 0))
                .setMinAccuracy(minAccuracy(root))
                .setTier(optionalText(root, "tier", null))
                .setModalities(modalities(root))
                .setTraceparent(optionalText(root, "traceparent", null))
                .setPolicy(optionalText(root, "policy", null))
                .setFinalOnly(optionalBoolean(root, "final_only", true))
                .setInputs(inputs(root))
                .setParameters(parameters(root, "parameters"))
                .setOutputs(outputs(root.get("outputs")))
                .build();
    }

    /**
     * OIP {@code outputs}: an array of {@code {"name": ...}} objects, each name once, in the
     * client's order; absent or null = every output. Whether the names exist is the catalog's call
     * ({@code Catalog#outputsProblem}: the selector's, and the gateway's to fail fast).
     */
    static List<String> outputs(JsonNode outputs) {
        if (outputs == null || outputs.isNull()) {
            return List.of();
        }
        if (!outputs.isArray()) {
            throw new InvalidFieldException("'outputs' must be an array of {\"name\": ...}");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode o : outputs) {
            JsonNode name = o.get("name");
            if (!o.isObject() || name == null || !name.isTextual()) {
                throw new InvalidFieldException("'outputs' must be an array of {\"name\": ...}");
            }
            if (names.contains(name.textValue())) {
                throw new InvalidFieldException("output '" + name.textValue() + "' requested twice");
            }
            names.add(name.textValue());
        }
        return names;
    }

    private static String task(JsonNode root) {
        String task = optionalText(root, "task", null);
        String modelName = optionalText(root, "model_name", null);
        if (task != null && modelName != null && !task.equals(modelName)) {
            throw new InvalidFieldException("'task' and its alias 'model_name' disagree");
        }
        String t = task != null ? task : modelName;
        if (t == null || t.isBlank()) {
            throw new InvalidFieldException("missing string field 'task' (or 'model_name')");
        }
        return t;
    }

    /** The task if it can be read at all, so that even a rejected request's INVALID result names it. */
    private static String readableTask(JsonNode root) {
        for (String field : List.of("task", "model_name")) {
            JsonNode n = root.get(field);
            if (n != null && n.isTextual() && !n.textValue().isBlank()) {
                return n.textValue();
            }
        }
        return null;
    }

    private static long deadline(JsonNode root, long createdAt) {
        boolean hasDeadline = present(root, "deadline_ms");
        boolean hasTimeout = present(root, "timeout_ms");
        if (hasDeadline && hasTimeout) {
            throw new InvalidFieldException("give either 'deadline_ms' or 'timeout_ms', not both");
        }
        if (hasDeadline) {
            return optionalLong(root, "deadline_ms", 0);
        }
        if (hasTimeout) {
            long timeout = optionalLong(root, "timeout_ms", 0);
            if (timeout < 0) {
                throw new InvalidFieldException("'timeout_ms' must be >= 0");
            }
            try {
                return Math.addExact(createdAt, timeout);
            } catch (ArithmeticException e) {
                throw new InvalidFieldException("'timeout_ms' is too large");
            }
        }
        throw new InvalidFieldException("missing 'deadline_ms' (absolute epoch ms) or 'timeout_ms' (relative)");
    }

    private static double minAccuracy(JsonNode root) {
        JsonNode n = root.get("min_accuracy");
        if (n == null || n.isNull()) {
            return 0.0;
        }
        if (!n.isNumber() || !(n.doubleValue() >= 0.0 && n.doubleValue() <= 1.0)) {
            throw new InvalidFieldException("'min_accuracy' must be a number in [0, 1]");
        }
        return n.doubleValue();
    }

    private static List<String> modalities(JsonNode root) {
        JsonNode n = root.get("modalities");
        if (n == null || n.isNull()) {
            return List.of("image");
        }
        if (!n.isArray()) {
            throw new InvalidFieldException("'modalities' must be an array of strings");
        }
        List<String> out = new ArrayList<>(n.size());
        for (JsonNode m : n) {
            if (!m.isTextual()) {
                throw new InvalidFieldException("'modalities' must be an array of strings");
            }
            out.add(m.textValue());
        }
        return out;
    }

    private static List<Tensor> inputs(JsonNode root) {
        JsonNode n = root.get("inputs");
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new InvalidFieldException("'inputs' must be a non-empty array");
        }
        List<Tensor> out = new ArrayList<>(n.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            Tensor t = tensor(n.get(i), i);
            if (!names.add(t.getName())) {
                throw new InvalidFieldException("duplicate input name '" + t.getName() + "'");
            }
            out.add(t);
        }
        return out;
    }

    private static Tensor tensor(JsonNode in, int index) {
        if (!in.isObject()) {
            throw new InvalidFieldException("'inputs[" + index + "]' must be an object");
        }
        JsonNode nameNode = in.get("name");
        if (nameNode == null || !nameNode.isTextual() || nameNode.textValue().isBlank()) {
            throw new InvalidFieldException("'inputs[" + index + "]' has no string 'name'");
        }
        String name = nameNode.textValue();
        JsonNode datatypeNode = in.get("datatype");
        if (datatypeNode == null || !datatypeNode.isTextual()) {
            throw new InvalidFieldException("input '" + name + "' has no string 'datatype'");
        }
        String datatype = datatypeNode.textValue();
        List<Long> shape = shape(in.get("shape"), name);
        ByteBuffer data = TensorDataEncoder.encode(name, datatype, shape, in.get("data"));
        return new Tensor(name, datatype, shape, data, parameters(in, "parameters"));
    }

    private static List<Long> shape(JsonNode n, String input) {
        if (n == null || !n.isArray()) {
            throw new InvalidFieldException("input '" + input + "': 'shape' must be an array of non-negative integers");
        }
        List<Long> shape = new ArrayList<>(n.size());
        for (JsonNode d : n) {
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new InvalidFieldException("input '" + input + "': 'shape' must be an array of non-negative integers");
            }
            shape.add(d.longValue());
        }
        return shape;
    }

    /** OIP parameters: string, number or boolean values, all kept as strings. */
    private static Map<String, String> parameters(JsonNode owner, String field) {
        JsonNode n = owner.get(field);
        if (n == null || n.isNull()) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw new InvalidFieldException("'" + field + "' must be an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull()) {
                throw new InvalidFieldException("parameter '" + e.getKey() + "' must be a string, number or boolean");
            }
            out.put(e.getKey(), v.asText());
        }
        return out;
    }

    private static boolean present(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    private static String optionalText(JsonNode root, String field, String absent) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isTextual()) {
            throw new InvalidFieldException("'" + field + "' must be a string");
        }
        return n.textValue();
    }

    private static long optionalLong(JsonNode root, String field, long absent) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new InvalidFieldException("'" + field + "' must be an integer");
        }
        return n.longValue();
    }

    private static int optionalInt(JsonNode root, String field, int absent) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new InvalidFieldException("'" + field + "' must be a 32-bit integer");
        }
        return n.intValue();
    }

    private static boolean optionalBoolean(JsonNode root, String field, boolean absent) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isBoolean()) {
            throw new InvalidFieldException("'" + field + "' must be a boolean");
        }
        return n.booleanValue();
    }
}
