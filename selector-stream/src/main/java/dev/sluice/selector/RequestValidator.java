package dev.sluice.selector;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.common.DeadLetters;
import dev.sluice.avro.Tensor;
import dev.sluice.models.Catalog;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import dev.sluice.schemas.Tensors;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a decoded request against the catalog before any model sees it. Returns the reason a
 * request is INVALID, naming the problem, or empty when it can be served.
 */
public final class RequestValidator {
    /** Requests carrying this parameter were already found malformed upstream (the JSON bridge). */
    public static final String INVALID_PARAMETER = "sluice.invalid";

    /** Most parts one request may arrive in. */
    public static final int MAX_PARTS = 16;

    /** Longest {@code traceparent} accepted (a W3C one is 55 characters); it travels on every task. */
    public static final int MAX_TRACEPARENT_CHARS = 256;
    /** Longest request id accepted; a longer one is dead-lettered (it keys every record of the request). */
    public static final int MAX_ID_CHARS = 256;

    private final long maxInputBytes;

    public RequestValidator(long maxInputBytes) {
        this.maxInputBytes = maxInputBytes;
    }

    /** As {@link #validate(InferenceRequest, Catalog, long, long)} for a request whose record timestamp is unknown. */
    public Optional<String> validate(InferenceRequest req, Catalog catalog, long nowMs) {
        return validate(req, catalog, Long.MIN_VALUE, nowMs);
    }

    /**
     * @param producedAtMs the timestamp of the client's record (its clock, when it sent it), or
     *     {@code Long.MIN_VALUE} when unknown
     * @param nowMs when the selector read it
     */
    public Optional<String> validate(InferenceRequest req, Catalog catalog, long producedAtMs, long nowMs) {
        String upstream = req.getParameters().get(INVALID_PARAMETER);
        if (upstream != null) {
            return Optional.of(upstream);
        }
        if (req.getId() == null || req.getId().isBlank()) {
            return Optional.of("request id is empty");
        }
        List<Variant> variants = catalog.forTask(req.getTask());
        if (variants.isEmpty()) {
            return Optional.of("unknown task '" + req.getTask() + "'; known tasks: " + catalog.tasks());
        }
        long sentAt = Math.max(req.getCreatedAtMs(), producedAtMs);
        if (req.getDeadlineMs() <= sentAt) { // late before Sluice had it: the client's doing (see expiredWhileQueued)
            return Optional.of("deadline already past when the client sent the request: deadline_ms " + req.getDeadlineMs()
                    + " is " + (sentAt - req.getDeadlineMs()) + " ms before its " + (sentAt == req.getCreatedAtMs()
                            ? "created_at_ms" : "record timestamp") + " (" + (nowMs - req.getDeadlineMs())
                    + " ms before the selector read it)");
        }
        if (req.getTraceparent() != null && req.getTraceparent().length() > MAX_TRACEPARENT_CHARS) {
            return Optional.of("traceparent is " + req.getTraceparent().length() + " characters; at most "
                    + MAX_TRACEPARENT_CHARS + " (W3C trace context: 55)");
        }
        if (req.getMinAccuracy() < 0 || req.getMinAccuracy() > 1 || Double.isNaN(req.getMinAccuracy())) {
            return Optional.of("min_accuracy must be in [0,1], got " + req.getMinAccuracy());
        }
        if (req.getPartCount() < 1 || req.getPartCount() > MAX_PARTS) {
            return Optional.of("part_count must be in [1," + MAX_PARTS + "], got " + req.getPartCount());
        }
        if (req.getPartIndex() < 0 || req.getPartIndex() >= req.getPartCount()) {
            return Optional.of("part_index " + req.getPartIndex() + " is outside [0," + req.getPartCount() + ")");
        }
        String outputs = catalog.outputsProblem(req.getTask(), req.getOutputs());
        if (outputs != null) {
            return Optional.of(outputs);
        }
        Map<String, Tensor> byModality;
        try {
            byModality = ModalityInputs.of(req.getModalities(), req.getInputs());
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        for (Map.Entry<String, Tensor> e : byModality.entrySet()) {
            Optional<TensorSpec> spec = variants.stream().flatMap(v -> ModalityInputs.specOf(v, e.getKey()).stream()).findFirst();
            if (spec.isEmpty()) {
                Set<String> known = new TreeSet<>();
                variants.forEach(v -> known.addAll(v.modalities()));
                return Optional.of("task '" + req.getTask() + "' takes no modality '" + e.getKey() + "'; it takes " + known);
            }
            Set<String> names = new TreeSet<>(List.of(e.getKey()));
            variants.forEach(v -> ModalityInputs.specOf(v, e.getKey()).ifPresent(sp -> names.add(sp.name())));
            if (!names.contains(e.getValue().getName())) {
                return Optional.of("input tensor '" + DeadLetters.clip(e.getValue().getName(), 64) + "' is not an input of task '"
                        + req.getTask() + "': name it " + String.join(" or ", names.stream().map(n -> "'" + n + "'").toList()));
            }
            Optional<String> bad = validateTensor(e.getValue(), spec.get());
            if (bad.isPresent()) {
                return bad;
            }
        }
        return Optional.empty();
    }

    /**
     * Why a request the client sent in time expired before the selector read it (it waited in the
     * {@code sluice.requests} backlog: Sluice's lateness, answered DEADLINE_EXCEEDED, never
     * INVALID), or empty when its deadline is still ahead. Call after {@link #validate}, which
     * refuses requests already late when sent.
     */
    public static Optional<String> expiredWhileQueued(InferenceRequest req, long producedAtMs, long nowMs) {
        if (req.getDeadlineMs() > nowMs) {
            return Optional.empty();
        }
        long sentAt = Math.max(req.getCreatedAtMs(), producedAtMs);
        return Optional.of("deadline passed while queued in " + STAGE_REQUESTS_BACKLOG + ": sent " + (req.getDeadlineMs() - sentAt)
                + " ms before its deadline, read by the selector " + (nowMs - sentAt) + " ms after it was sent ("
                + (nowMs - req.getDeadlineMs()) + " ms late)");
    }

    /** The stage a request expires in when it waits in the request topic's backlog. */
    public static final String STAGE_REQUESTS_BACKLOG = "sluice.requests before the selector";

    private Optional<String> validateTensor(Tensor t, TensorSpec spec) {
        int bytes = t.getData().remaining();
        if (bytes > maxInputBytes) {
            return Optional.of("input '" + t.getName() + "' is oversized: " + bytes + " bytes, limit " + maxInputBytes);
        }
        if (!spec.datatype().equals(t.getDatatype())) {
            return Optional.of("input '" + t.getName() + "' has datatype " + t.getDatatype() + ", expected " + spec.datatype());
        }
        List<Long> shape = t.getShape();
        if (shape.size() != spec.shape().size() || shape.get(0) != 1) {
            return Optional.of("input '" + t.getName() + "' has shape " + shape + ", expected " + withBatchOne(spec.shape()));
        }
        for (int i = 1; i < shape.size(); i++) {
            if (!shape.get(i).equals(spec.shape().get(i))) {
                return Optional.of("input '" + t.getName() + "' has shape " + shape + ", expected " + withBatchOne(spec.shape()));
            }
        }
        long expected = Tensors.elements(shape) * Tensors.elementSize(t.getDatatype());
        if (bytes != expected) {
            return Optional.of("input '" + t.getName() + "' holds " + bytes + " bytes, shape " + shape + " needs " + expected);
        }
        if ("FP32".equals(t.getDatatype())) {
            // finite values only, and within the model's stated range when the catalog gives one
            var floats = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            List<Double> range = spec.range();
            for (int i = 0; i < floats.limit(); i++) {
                float f = floats.get(i);
                if (Float.isNaN(f) || Float.isInfinite(f)) {
                    return Optional.of("input '" + t.getName() + "' contains NaN or Infinity at element " + i);
                }
                if (range != null && (f < range.get(0) || f > range.get(1))) {
                    return Optional.of("input '" + t.getName() + "' element " + i + " is " + f + ", outside the model's range ["
                            + range.get(0) + ", " + range.get(1) + "]");
                }
            }
        }
        return Optional.empty();
    }

    private static String withBatchOne(List<Long> shape) {
        var s = new java.util.ArrayList<>(shape);
        s.set(0, 1L);
        return s.toString();
    }

}
