package dev.sluice.strimzi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A structural check against a committed JSON schema (src/test/resources/schemas/*.schema.json) for the
 * kinds that have no Java model on Maven Central. It understands the subset of JSON Schema those files
 * use: type, properties, required, additionalProperties (false or a schema), enum, items, minItems,
 * minimum. The schemas list the fields of the upstream CRDs that a Sluice manifest may use, with
 * additionalProperties false, so a misspelt key fails as it does with the strict Java models.
 */
final class SchemaCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> FILES = Map.of(
            "ScaledObject", "scaledobject", "TriggerAuthentication", "triggerauthentication",
            "ApicurioRegistry3", "apicurioregistry3", "Kustomization", "kustomization");
    private final JsonNode schema;

    private SchemaCheck(JsonNode schema) {
        this.schema = schema;
    }

    static SchemaCheck forKind(String kind) {
        String file = "/schemas/" + FILES.get(kind) + ".schema.json";
        try (InputStream in = SchemaCheck.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("no schema " + file);
            }
            return new SchemaCheck(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first problems found, or empty when the document fits the schema. */
    Optional<String> validate(JsonNode doc) {
        List<String> errors = new ArrayList<>();
        check(schema, doc, "", errors);
        return errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors));
    }

    private static void check(JsonNode s, JsonNode v, String path, List<String> errors) {
        String at = path.isEmpty() ? "/" : path;
        if (s.has("type") && !hasType(v, s.get("type").asText())) {
            errors.add(at + ": expected " + s.get("type").asText() + ", got " + v.getNodeType());
            return;
        }
        if (s.has("enum")) {
            boolean found = false;
            for (JsonNode e : s.get("enum")) {
                found |= e.equals(v) || (e.isTextual() && v.isValueNode() && e.asText().equals(v.asText()));
            }
            if (!found) {
                errors.add(at + ": '" + v.asText() + "' is not one of " + s.get("enum"));
            }
        }
        if (s.has("minimum") && v.isNumber() && v.asDouble() < s.get("minimum").asDouble()) {
            errors.add(at + ": " + v + " < " + s.get("minimum"));
        }
        if (v.isObject()) {
            for (JsonNode r : s.path("required")) {
                if (!v.has(r.asText())) {
                    errors.add(at + ": missing required '" + r.asText() + "'");
                }
            }
            JsonNode props = s.path("properties");
            JsonNode additional = s.get("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                String p = path + "/" + f.getKey();
                if (props.has(f.getKey())) {
                    check(props.get(f.getKey()), f.getValue(), p, errors);
                } else if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                    errors.add(at + ": unknown field '" + f.getKey() + "' (allowed: " + fieldNames(props) + ")");
                } else if (additional != null && additional.isObject()) {
                    check(additional, f.getValue(), p, errors);
                }
            }
        }
        if (v.isArray()) {
            if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
                errors.add(at + ": fewer than " + s.get("minItems") + " items");
            }
            if (s.has("items")) {
                for (int i = 0; i < v.size(); i++) {
                    check(s.get("items"), v.get(i), path + "/" + i, errors);
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode props) {
        List<String> names = new ArrayList<>();
        props.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> throw new IllegalStateException("schema type " + type + " not supported");
        };
    }
}
