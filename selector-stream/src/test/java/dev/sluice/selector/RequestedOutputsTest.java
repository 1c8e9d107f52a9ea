package dev.sluice.selector;

import static dev.sluice.decision.policy.CatalogFixtures.BATCHING;
import static dev.sluice.decision.policy.CatalogFixtures.INPUT;
import static dev.sluice.decision.policy.CatalogFixtures.LINEAR;
import static dev.sluice.decision.policy.CatalogFixtures.MLP;
import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.catalog;
import static dev.sluice.decision.policy.CatalogFixtures.profile;
import static dev.sluice.selector.RequestFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.models.Catalog;
import dev.sluice.models.OutputKind;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Requested outputs are checked against the task's (one check for every way in), and the fallback run's choice. */
class RequestedOutputsTest {
    private final RequestValidator validator = new RequestValidator(1 << 20);

    static Variant embedder(String id, double accuracy, double p99Ms) {
        return new Variant(id, "embed", List.of("image"), id + ".onnx", INPUT, null,
                new TensorSpec("embedding", "FP32", List.of(-1L, 64L)), "", accuracy, null, profile(p99Ms, 4 * p99Ms), BATCHING,
                null, OutputKind.TENSORS);
    }

    @Test
    void aClassifierTaskTakesLabelConfidenceAndProbabilitiesAndNothingElse() {
        assertEquals(Optional.empty(), validator.validate(request("r1", 100).setOutputs(List.of("probabilities", "label"))
                .build(), catalog(), T0));
        assertEquals(Optional.of("unknown output 'embedding' (outputs: label, confidence, probabilities) for model "
                + "'fashion-mnist'"), validator.validate(request("r1", 100).setOutputs(List.of("label", "embedding")).build(),
                catalog(), T0));
    }

    @Test
    void anEmbeddingTaskTakesItsModelsOutputNames() {
        Catalog c = new Catalog(List.of(embedder("embed-mlp", 0.85, 0.1), embedder("embed-cnn", 0.9, 0.4)));
        assertEquals(List.of("embedding"), c.outputNames("embed"));
        assertNull(c.outputsProblem("embed", List.of("embedding")));
        assertEquals(Optional.of("unknown output 'label' (outputs: embedding) for model 'embed'"),
                validator.validate(request("r1", 100).setTask("embed").setOutputs(List.of("label")).build(), c, T0));
    }

    @Test
    void theFallbackRunIsTheCheapestProfiledVariantUnlessItIsAMember() {
        Catalog c = catalog();
        assertEquals(LINEAR, SelectorProcessor.fallbackRun(c, "fashion-mnist", List.of("cnn")));
        assertNull(SelectorProcessor.fallbackRun(c, "fashion-mnist", List.of("mlp", "linear")), "the cheapest serves anyway");
        assertNull(SelectorProcessor.fallbackRun(c, "fashion-mnist", List.of(dev.sluice.decision.VariantViews.view("linear", 2))), "a view of it too");
        assertEquals(LINEAR, SelectorProcessor.fallbackRun(c, "fashion-mnist", List.of(MLP.id())));
        assertNull(SelectorProcessor.fallbackRun(c, "speech", List.of()));
    }
}
