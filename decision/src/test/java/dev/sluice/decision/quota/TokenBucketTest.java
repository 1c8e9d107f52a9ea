package dev.sluice.decision.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    @Test
    void startsFullAndRefusesOnceTheBurstIsSpent() {
        TokenBucket b = new TokenBucket(10, 10, 1_000);
        for (int i = 0; i < 10; i++) {
            assertTrue(b.tryTake(1_000), "token " + i);
        }
        assertFalse(b.tryTake(1_000));
        assertEquals(100, b.msUntilToken(1_000), "one token every 100 ms at 10/s");
    }

    @Test
    void refillsAtTheRateAndNeverAboveTheBurst() {
        TokenBucket b = new TokenBucket(10, 5, 0);
        for (int i = 0; i < 5; i++) {
            b.tryTake(0);
        }
        assertFalse(b.tryTake(99));
        assertTrue(b.tryTake(100));
        assertFalse(b.tryTake(150));
        assertEquals(5.0, b.tokens(60_000), 1e-9, "a long quiet spell refills to the burst, no more");
    }

    @Test
    void overASecondItAdmitsTheRatePlusTheBurst() {
        TokenBucket b = new TokenBucket(50, 50, 0);
        int admitted = 0;
        for (long t = 0; t < 1_000; t++) { // 1,000 requests/s offered for one second
            if (b.tryTake(t)) {
                admitted++;
            }
        }
        // 50 from the full bucket, then one every 20 ms for 999 ms
        assertEquals(50 + 49, admitted);
    }

    @Test
    void timeGoingBackAddsNothing() {
        TokenBucket b = new TokenBucket(1, 1, 10_000);
        assertTrue(b.tryTake(10_000));
        assertFalse(b.tryTake(5_000));
        assertFalse(b.tryTake(10_500));
        assertTrue(b.tryTake(11_000));
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.POSITIVE_INFINITY, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0.5, 0));
    }
}
