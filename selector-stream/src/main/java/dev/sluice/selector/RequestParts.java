package dev.sluice.selector;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The pure rules for a request that arrives in parts: which later parts belong with the first, and how they merge. */
final class RequestParts {
    private RequestParts() {}

    /** Why a later part cannot belong with the first (a different request sharing its id), or empty. */
    static Optional<String> mismatch(InferenceRequest first, InferenceRequest part) {
        if (part.getPartCount() != first.getPartCount()) {
            return Optional.of("part " + part.getPartIndex() + " says the request has " + part.getPartCount()
                    + " parts, an earlier part said " + first.getPartCount());
        }
        if (!part.getTask().equals(first.getTask())) {
            return Optional.of("part " + part.getPartIndex() + " is for task '" + part.getTask() + "', an earlier part for '"
                    + first.getTask() + "'");
        }
        for (String m : part.getModalities()) {
            if (first.getModalities().contains(m)) {
                return Optional.of("modality '" + m + "' arrived in two parts");
            }
        }
        return Optional.empty();
    }

    /** The request so far plus one more part: its tensors, each named after its modality, and modalities. */
    static InferenceRequest merge(InferenceRequest soFar, InferenceRequest part) {
        List<Tensor> inputs = new ArrayList<>();
        ModalityInputs.of(soFar.getModalities(), soFar.getInputs()).forEach((m, t) -> inputs.add(ModalityInputs.named(t, m)));
        ModalityInputs.of(part.getModalities(), part.getInputs()).forEach((m, t) -> inputs.add(ModalityInputs.named(t, m)));
        List<String> modalities = new ArrayList<>(soFar.getModalities());
        modalities.addAll(part.getModalities());
        Map<String, String> parameters = new HashMap<>(part.getParameters());
        parameters.putAll(soFar.getParameters()); // the first part's header wins
        return InferenceRequest.newBuilder(soFar).setInputs(inputs).setModalities(modalities).setParameters(parameters).build();
    }
}
