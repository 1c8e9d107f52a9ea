package dev.sluice.selector;

import dev.sluice.decision.policy.CatalogFixtures;
import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.decision.policy.LoadSnapshot;
import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.policy.SelectionRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectorMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double modality(String policy, String outcome) {
        return registry.get("sluice.selector.modality.decisions").tag("policy", policy).tag("outcome", outcome)
                .functionCounter().count();
    }

    @Test
    void theModalityPoliciesDecisionsAreCounters() {
        Policies policies = new Policies(10);
        new SelectorMetrics(registry).bindModalityPolicies(policies);
        var catalog = CatalogFixtures.multimodalCatalog();

        var met = policies.get("mosel").decide(new SelectionRequest("a", "spoken", T0, T0 + 500, 0, 0.85, null,
                List.of("image")), catalog, LoadSnapshot.IDLE, T0);
        var unreachable = policies.get("mosel").decide(new SelectionRequest("b", "spoken", T0, T0 + 500, 0, 0.99, null,
                List.of("image", "audio")), catalog, LoadSnapshot.IDLE, T0);
        policies.get("image-only").decide(new SelectionRequest("c", "spoken", T0, T0 + 500, 0, 0.85, null,
                List.of("image", "audio")), catalog, LoadSnapshot.IDLE, T0);

        assertEquals(List.of("img"), met.variants());
        assertEquals(false, unreachable.serve());
        assertEquals(1.0, modality("mosel", "at_floor"));
        assertEquals(1.0, modality("mosel", "rejected"));
        assertEquals(0.0, modality("mosel", "below_floor"));
        assertEquals(1.0, modality("image-only", "at_floor"));
        assertEquals(0.0, modality("all-modalities", "at_floor"));
    }
}
