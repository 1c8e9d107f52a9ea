package dev.sluice.selector.policy;

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
        assertEquals(List.of("fixed-high", "fixed-low", "infaas"), policies.names());
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
        assertEquals(java.util.Map.of("fixed-high", "fixed-high", "fixed-low", "fixed-low", "infaas", "infaas"),
                policies.map(SelectionPolicy::name));
    }
}
