package dev.sluice.decision.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoliciesTest {
    private final Policies policies = new Policies(40);

    @Test
    void knowsTheBuiltInPoliciesByName() {
        assertEquals(List.of("all-modalities", "cascade", "clipper-bandit", "cocktail", "exp4", "fixed-high", "fixed-low", "image-only", "infaas",
                        "mosel", "mosel-accuracy", "proteus", "ramsis", "switching", "tiers"),
                policies.names());
        assertInstanceOf(InfaasPolicy.class, policies.get(Policies.DEFAULT));
        assertEquals("fixed-high", policies.get("fixed-high").name());
        assertEquals("fixed-low", policies.get("fixed-low").name());
        assertTrue(policies.has("infaas"));
        assertFalse(policies.has("random"));
    }

    @Test
    void unknownNameIsAnErrorListingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policies.get("random"));
        assertTrue(e.getMessage().contains("unknown policy 'random'"), e.getMessage());
        assertTrue(e.getMessage().contains("infaas"), e.getMessage());
        assertTrue(e.getMessage().contains("fixed-high"), e.getMessage());
    }

    @Test
    void mapAppliesAFunctionToEveryPolicy() {
        for (java.util.Map.Entry<String, String> e : policies.map(SelectionPolicy::name).entrySet()) {
            assertEquals(e.getKey(), e.getValue());
        }
        assertEquals(policies.names().size(), policies.map(SelectionPolicy::name).size());
    }

    @Test
    void eachNameIsBackedByItsPolicyClass() {
        assertInstanceOf(SwitchingPolicy.class, policies.get("switching"));
        assertInstanceOf(ProteusPolicy.class, policies.get("proteus"));
        assertInstanceOf(RamsisPolicy.class, policies.get("ramsis"));
        assertInstanceOf(ClipperBanditPolicy.class, policies.get("clipper-bandit"));
        assertInstanceOf(TiersPolicy.class, policies.get("tiers"));
        assertInstanceOf(CocktailPolicy.class, policies.get("cocktail"));
        assertInstanceOf(MoselPolicy.class, policies.get("mosel"));
        assertEquals("all-modalities", assertInstanceOf(ModalityBaselinePolicy.class, policies.get("all-modalities")).name());
        assertEquals("image-only", assertInstanceOf(ModalityBaselinePolicy.class, policies.get("image-only")).name());
    }

    @Test
    void admissionControlWrapsTheNamedPoliciesUnderTheirOwnNames() {
        Policies wrapped = new Policies(Policies.Settings.defaults(40).withAdmission(java.util.Set.of("ramsis", "infaas")));
        assertEquals(policies.names(), wrapped.names());
        AdmissionControl a = assertInstanceOf(AdmissionControl.class, wrapped.get("ramsis"));
        assertInstanceOf(RamsisPolicy.class, a.inner());
        assertInstanceOf(AdmissionControl.class, wrapped.get("infaas"));
        assertInstanceOf(SwitchingPolicy.class, wrapped.get("switching"));
        assertThrows(IllegalArgumentException.class,
                () -> new Policies(Policies.Settings.defaults(40).withAdmission(java.util.Set.of("random"))));
    }

    @Test
    void aSeedMakesTheBanditReproducible() {
        Policies a = new Policies(40, 3);
        Policies b = new Policies(40, 3);
        dev.sluice.models.Catalog catalog = LadderFixtures.ladder();
        for (int i = 0; i < 50; i++) {
            SelectionRequest r = LadderFixtures.request("r", dev.sluice.decision.policy.CatalogFixtures.T0, 1_000, 0);
            assertEquals(a.get("clipper-bandit").decide(r, catalog, LoadSnapshot.IDLE, r.createdAtMs()),
                    b.get("clipper-bandit").decide(r, catalog, LoadSnapshot.IDLE, r.createdAtMs()));
        }
    }
}
