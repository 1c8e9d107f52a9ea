package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CancelledRequestsTest {
    @Test
    void remembersCancelledIdsOnly() {
        CancelledRequests c = new CancelledRequests(10);
        c.cancel("r1");
        assertTrue(c.isCancelled("r1"));
        assertFalse(c.isCancelled("r2"));
        c.cancel("r1");
        assertEquals(1, c.size(), "a repeated cancellation (redelivered record) is one id");
    }

    @Test
    void forgetsTheOldestBeyondItsCapacity() {
        CancelledRequests c = new CancelledRequests(3);
        for (int i = 0; i < 5; i++) {
            c.cancel("r" + i);
        }
        assertEquals(3, c.size());
        assertFalse(c.isCancelled("r0"));
        assertFalse(c.isCancelled("r1"));
        assertTrue(c.isCancelled("r2"));
        assertTrue(c.isCancelled("r4"));
    }

    @Test
    void ignoresEmptyIdsAndRefusesNoCapacity() {
        CancelledRequests c = new CancelledRequests(3);
        c.cancel(null);
        c.cancel("");
        assertEquals(0, c.size());
        assertThrows(IllegalArgumentException.class, () -> new CancelledRequests(0));
    }
}
