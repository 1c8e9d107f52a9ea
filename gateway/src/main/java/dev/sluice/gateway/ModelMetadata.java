package dev.sluice.gateway;

import dev.sluice.ingest.json.OipInferResponse;
import dev.sluice.models.Catalog;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OIP model metadata of one Sluice task: the inputs its variants take (by name, -1 for the batch
 * axis) and the outputs every answer carries: label, confidence and probabilities for classifiers,
 * the catalog's output tensors for models that answer with tensors. The variants behind the task are Sluice's to choose
 * per request, so they are not models of their own here.
 */
public record ModelMetadata(String name, String platform, List<TensorSpec> inputs, List<TensorSpec> outputs,
        List<String> variants) {
    public static final String PLATFORM = "sluice";

    public static Optional<ModelMetadata> of(Catalog catalog, String task) {
        List<Variant> variants = catalog.forTask(task);
        if (variants.isEmpty()) {
            return Optional.empty();
        }
        Map<String, TensorSpec> inputs = new LinkedHashMap<>();
        long classes = -1;
        for (Variant v : variants) {
            v.allInputs().forEach(t -> inputs.putIfAbsent(t.name(), t));
            List<Long> out = v.output().shape();
            classes = Math.max(classes, out.isEmpty() ? -1 : out.get(out.size() - 1));
        }
        if (variants.stream().noneMatch(Variant::isClassifier)) { // answers with the models' own tensors
            Map<String, TensorSpec> outputs = new LinkedHashMap<>();
            variants.forEach(v -> outputs.putIfAbsent(v.output().name(), v.output()));
            return Optional.of(new ModelMetadata(task, PLATFORM, new ArrayList<>(inputs.values()),
                    new ArrayList<>(outputs.values()), variants.stream().map(Variant::id).toList()));
        }
        List<TensorSpec> outputs = List.of(
                new TensorSpec(OipInferResponse.LABEL, "INT64", List.of(-1L)),
                new TensorSpec(OipInferResponse.CONFIDENCE, "FP32", List.of(-1L)),
                new TensorSpec(OipInferResponse.PROBABILITIES, "FP32", List.of(-1L, classes)));
        return Optional.of(new ModelMetadata(task, PLATFORM, new ArrayList<>(inputs.values()), outputs,
                variants.stream().map(Variant::id).toList()));
    }
}
