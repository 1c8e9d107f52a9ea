package dev.sluice.selector;

import dev.sluice.avro.Tensor;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which tensor of a request feeds which modality. A tensor is named after its modality
 * ({@code image}, {@code audio}); a request with one tensor and one modality maps it whatever its
 * name, so image requests that call their tensor {@code input} keep working.
 */
final class ModalityInputs {
    private ModalityInputs() {}

    /** The tensor of each declared modality, in declaration order; throws with the reason when they do not match. */
    static Map<String, Tensor> of(List<String> modalities, List<Tensor> inputs) {
        if (modalities.isEmpty()) {
            throw new IllegalArgumentException("request declares no modality");
        }
        if (modalities.stream().distinct().count() != modalities.size()) {
            throw new IllegalArgumentException("modality listed twice: " + modalities);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (modalities.size() == 1 && inputs.size() == 1) {
            out.put(modalities.get(0), inputs.get(0));
            return out;
        }
        List<String> names = inputs.stream().map(Tensor::getName).toList();
        for (String m : modalities) {
            Tensor t = inputs.stream().filter(x -> x.getName().equals(m)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("modality '" + m + "' has no input tensor named '" + m + "' (tensors: "
                            + names + ")"));
            out.put(m, t);
        }
        if (inputs.size() != modalities.size()) {
            List<String> extra = new ArrayList<>(names);
            extra.removeAll(modalities);
            throw new IllegalArgumentException("input tensors " + extra + " name no declared modality " + modalities);
        }
        return out;
    }

    /** What a variant expects for {@code modality}, if it consumes it. */
    static Optional<TensorSpec> specOf(Variant v, String modality) {
        if (!v.modalities().contains(modality)) {
            return Optional.empty();
        }
        if (v.inputs().isEmpty()) {
            return Optional.of(v.input());
        }
        return v.inputs().stream().filter(s -> s.name().equals(modality)).findFirst();
    }

    /**
     * A variant's tensors in its own input order (the first goes in a task's input, the rest in
     * extra_inputs). A model with several inputs gets each tensor named after its input, which
     * is the modality's name.
     */
    static List<Tensor> forVariant(Variant v, Map<String, Tensor> byModality) {
        List<String> order = v.inputModalities();
        List<Tensor> out = new ArrayList<>();
        for (String m : order) {
            Tensor t = byModality.get(m);
            if (t == null) {
                throw new IllegalStateException("variant " + v.id() + " needs modality '" + m + "', not present");
            }
            out.add(v.inputs().isEmpty() ? t : named(t, m));
        }
        return out;
    }

    /** {@code t} under {@code name} (itself when it already has it). */
    static Tensor named(Tensor t, String name) {
        return t.getName().equals(name) ? t : Tensor.newBuilder(t).setName(name).build();
    }
}
