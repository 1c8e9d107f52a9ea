package dev.sluice.selector;

import dev.sluice.avro.InferenceRequest;
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

    private final long maxInputBytes;

    public RequestValidator(long maxInputBytes) {
        this.maxInputBytes = maxInputBytes;
    }

    public Optional<String> validate(InferenceRequest req, Catalog catalog, long nowMs) {
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
        if (req.getDeadlineMs() <= nowMs) {
            return Optional.of("deadline already past: deadline_ms " + req.getDeadlineMs() + " is "
                    + (nowMs - req.getDeadlineMs()) + " ms before the selector read it");
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
            Optional<String> bad = validateTensor(e.getValue(), spec.get());
            if (bad.isPresent()) {
                return bad;
            }
        }
        return Optional.empty();
    }

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
            var floats = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int i = 0; i < floats.limit(); i++) {
                float f = floats.get(i);
                if (Float.isNaN(f) || Float.isInfinite(f)) {
                    return Optional.of("input '" + t.getName() + "' contains NaN or Infinity at element " + i);
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
