package dev.sluice.decision.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantQuotasTest {
    @Test
    void aTenantWithoutARateIsUnlimited() {
        TenantQuotas q = new TenantQuotas(Map.of("acme", 2.0));
        for (int i = 0; i < 10_000; i++) {
            assertTrue(q.admit("globex", 0).admitted());
        }
        assertTrue(TenantQuotas.UNLIMITED.admit("acme", 0).admitted());
        assertFalse(TenantQuotas.UNLIMITED.enabled());
    }

    @Test
    void aLimitedTenantIsRefusedWithTheReasonAndOthersAreNotAffected() {
        TenantQuotas q = new TenantQuotas(Map.of("acme", 2.0, "initech", 1.0));
        assertTrue(q.admit("acme", 0).admitted());
        assertTrue(q.admit("acme", 0).admitted());
        TenantQuotas.Decision refused = q.admit("acme", 0);
        assertFalse(refused.admitted());
        assertEquals("tenant 'acme' is over its quota of 2 requests/s (next request admitted in 500 ms)", refused.reason());
        assertTrue(q.admit("initech", 0).admitted(), "each tenant has its own bucket");
        assertTrue(q.admit("acme", 500).admitted());
    }

    @Test
    void aFractionalRateHoldsOneRequestAtATime() {
        TenantQuotas q = new TenantQuotas(Map.of("slow", 0.5));
        assertTrue(q.admit("slow", 0).admitted());
        assertFalse(q.admit("slow", 1_999).admitted());
        assertTrue(q.admit("slow", 2_000).admitted());
        assertTrue(q.admit("slow", 9_000).reason() == null);
        assertTrue(q.admit("slow", 9_000).reason().contains("quota of 0.5 requests/s"));
    }

    @Test
    void parsesTheCommandLineForm() {
        TenantQuotas q = TenantQuotas.parse(List.of("acme=100", "initech = 2.5"));
        assertEquals(Map.of("acme", 100.0, "initech", 2.5), q.rates());
        assertThrows(IllegalArgumentException.class, () -> TenantQuotas.parse(List.of("acme")));
        assertThrows(IllegalArgumentException.class, () -> TenantQuotas.parse(List.of("acme=fast")));
        assertThrows(IllegalArgumentException.class, () -> TenantQuotas.parse(List.of("acme=0")));
        assertThrows(IllegalArgumentException.class, () -> TenantQuotas.parse(List.of("acme=-3")));
        assertThrows(IllegalArgumentException.class, () -> TenantQuotas.parse(List.of("acme=1", "acme=2")));
        assertThrows(IllegalArgumentException.class, () -> TenantQuotas.parse(List.of("=1")));
    }
}
