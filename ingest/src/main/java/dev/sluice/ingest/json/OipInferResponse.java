package dev.sluice.ingest.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.Tensor;
import dev.sluice.avro.Vote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A final result as an Open Inference Protocol (KServe v2) inference response: the answer as
 * output tensors ({@value #LABEL} INT64 [1], {@value #CONFIDENCE} FP32 [1], {@value #PROBABILITIES}
 * FP32 [1, classes] for a classifier; the model's own output tensors, any shape and datatype, for
 * a model that answers with tensors), only those the request named when it named any
 * ({@code requested_outputs}), Sluice's status, votes, variants and stage latencies as scalar
 * {@code parameters}, and {@code error} carrying the reason when the status is not an answer
 * ({@code REJECTED}, {@code INVALID}, {@code DEADLINE_EXCEEDED}). Transport-neutral: the gateway
 * renders it as HTTP JSON (with {@link #toJson()}) or as protobuf. Immutable.
 *
 * @param modelName the model as the client named it (a Sluice task)
 * @param id the client's request id (null when it gave none)
 * @param parameters scalar values only (String, Long, Double, Boolean), in a stable order
 */
public record OipInferResponse(String modelName, String id, ResultStatus status, String error,
        Map<String, Object> parameters, List<Output> outputs) {
    public static final String LABEL = "label";
    public static final String CONFIDENCE = "confidence";
    public static final String PROBABILITIES = "probabilities";
    /** Every output a classifier's result can carry, in order. */
    public static final List<String> OUTPUTS = dev.sluice.models.OutputKind.CLASS_OUTPUTS;

    public OipInferResponse {
        Objects.requireNonNull(status, "status");
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        outputs = List.copyOf(outputs);
    }

    /**
     * One output tensor; {@code data} holds one value an element as {@link TensorDataDecoder}
     * reads them (Long for INT64, Float for FP32, Boolean for BOOL, ...).
     */
    public record Output(String name, String datatype, List<Long> shape, List<?> data) {
        public Output {
            shape = List.copyOf(shape);
            data = List.copyOf(data);
        }
    }

    /** Whether the result answers the request (OK, or PARTIAL: the deadline came with some votes in). */
    public boolean answered() {
        return status == ResultStatus.OK || status == ResultStatus.PARTIAL;
    }

    /**
     * A result as the JSON topic carries it: {@code id} the request id, {@code model_name} the task
     * the request named, the outputs the request named (every output there is when it named none).
     */
    public static OipInferResponse of(InferenceResult r) {
        return of(r, null, r.getRequestId(), r.getRequestedOutputs());
    }

    /**
     * The answer to a gateway call.
     *
     * @param modelName the model the client called; null for the task the result names (null when it names none)
     * @param requestedOutputs the outputs the client named, in its order; empty means all there are
     */
    public static OipInferResponse of(InferenceResult r, String modelName, String clientId, List<String> requestedOutputs) {
        if (modelName == null && !r.getTask().isEmpty()) {
            modelName = r.getTask();
        }
        List<Output> outputs = new ArrayList<>();
        boolean answered = r.getStatus() == ResultStatus.OK || r.getStatus() == ResultStatus.PARTIAL;
        boolean hasLabel = r.getLabel() >= 0 && answered;
        boolean hasTensors = !r.getOutputs().isEmpty() && answered;
        if (hasTensors) { // a model that answers with tensors: its own outputs, by name
            for (Tensor t : r.getOutputs()) {
                if (requestedOutputs.isEmpty() || requestedOutputs.contains(t.getName())) {
                    outputs.add(new Output(t.getName(), t.getDatatype(), t.getShape(),
                            TensorDataDecoder.values(t.getName(), t.getDatatype(), t.getData())));
                }
            }
            if (!requestedOutputs.isEmpty()) { // in the order the client named them
                outputs.sort(java.util.Comparator.comparingInt(o -> requestedOutputs.indexOf(o.name())));
            }
        } else if (hasLabel) {
            List<String> wanted = requestedOutputs.isEmpty() ? OUTPUTS : requestedOutputs;
            for (String name : wanted) {
                switch (name) {
                    case LABEL -> outputs.add(new Output(LABEL, "INT64", List.of(1L), List.of((long) r.getLabel())));
                    case CONFIDENCE -> outputs.add(new Output(CONFIDENCE, "FP32", List.of(1L), List.of(r.getConfidence())));
                    case PROBABILITIES -> {
                        if (!r.getProbabilities().isEmpty()) {
                            outputs.add(new Output(PROBABILITIES, "FP32", List.of(1L, (long) r.getProbabilities().size()),
                                    r.getProbabilities()));
                        }
                    }
                    default -> { } // not a classifier's output: the selector answered such a request INVALID
                }
            }
        }
        String error = hasLabel || hasTensors ? null : error(r);
        return new OipInferResponse(modelName, clientId, r.getStatus(), error, parameters(r), outputs);
    }

    private static String error(InferenceResult r) {
        String reason = r.getReason() == null ? "" : ": " + r.getReason();
        return switch (r.getStatus()) {
            case OK, PARTIAL -> "no answer (label or output tensors) in the " + r.getStatus() + " result" + reason;
            default -> r.getStatus() + reason;
        };
    }

    private static Map<String, Object> parameters(InferenceResult r) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sluice_request_id", r.getRequestId());
        p.put("status", r.getStatus().name());
        p.put("revision", (long) r.getRevision());
        p.put("final", r.getFinal$());
        if (r.getCached()) { // only when set: answered from the selector's prediction cache, no model ran
            p.put("cached", true);
        }
        if (r.getDefaultAnswer()) { // only when set: no member answered by the deadline; the default the request asked for
            p.put("default_answer", true);
        }
        if (r.getReason() != null) {
            p.put("reason", r.getReason());
        }
        p.put("policy", r.getPolicy());
        p.put("variants", String.join(",", r.getVariants()));
        if (!r.getVotes().isEmpty()) {
            p.put("votes", r.getVotes().stream().map(OipInferResponse::vote).collect(Collectors.joining(",")));
        }
        StageLatency l = r.getLatency();
        p.put("latency_ingest_ms", l.getIngestMs());
        p.put("latency_select_ms", l.getSelectMs());
        p.put("latency_queue_ms", l.getQueueMs());
        p.put("latency_compute_ms", l.getComputeMs());
        p.put("latency_aggregate_ms", l.getAggregateMs());
        p.put("latency_total_ms", l.getTotalMs());
        p.put("created_at_ms", r.getCreatedAtMs());
        p.put("deadline_ms", r.getDeadlineMs());
        p.put("completed_at_ms", r.getCompletedAtMs());
        return p;
    }

    /** "variant:label:confidence", the confidence to 4 decimals. */
    private static String vote(Vote v) {
        return v.getVariant() + ":" + v.getLabel() + ":" + String.format(java.util.Locale.ROOT, "%.4f", v.getConfidence());
    }

    /** Appends one element value as JSON (as {@link TensorDataDecoder} reads them, or Long/Float as a classifier's outputs hold). */
    public static void add(ArrayNode data, Object v) {
        if (v instanceof Boolean b) {
            data.add(b);
        } else if (v instanceof Integer i) {
            data.add(i);
        } else if (v instanceof Long l) {
            data.add(l);
        } else if (v instanceof Float f) {
            data.add(f);
        } else if (v instanceof Double d) {
            data.add(d);
        } else if (v instanceof java.math.BigInteger b) {
            data.add(b);
        } else {
            throw new IllegalArgumentException("not a tensor element: " + v);
        }
    }

    /**
     * OIP JSON: {@code model_name}, {@code id}, {@code parameters}, {@code outputs}, and {@code error}
     * when the request was not answered (as OIP's error responses carry it).
     */
    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("model_name", modelName);
        if (id != null) {
            root.put("id", id);
        }
        if (error != null) {
            root.put("error", error);
        }
        ObjectNode params = root.putObject("parameters");
        parameters.forEach((k, v) -> {
            if (v instanceof Long n) {
                params.put(k, n);
            } else if (v instanceof Double d) {
                params.put(k, d);
            } else if (v instanceof Boolean b) {
                params.put(k, b);
            } else {
                params.put(k, String.valueOf(v));
            }
        });
        ArrayNode out = root.putArray("outputs");
        for (Output o : outputs) {
            ObjectNode t = out.addObject().put("name", o.name()).put("datatype", o.datatype());
            ArrayNode shape = t.putArray("shape");
            o.shape().forEach(shape::add);
            ArrayNode data = t.putArray("data");
            o.data().forEach(v -> add(data, v));
        }
        return root;
    }
}
