package dev.sluice.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.executor.runtime.ResidencyPolicy.Resident;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure LRU-under-a-budget bookkeeping, no models. */
class ResidencyPolicyTest {
    /** Admits and immediately unpins, as a batch that ran and finished would. */
    private static List<Resident> use(ResidencyPolicy p, String id, long bytes) {
        List<Resident> victims = List.of();
        if (!p.pinIfResident(id)) {
            victims = p.admit(id, bytes).orElseThrow();
        }
        p.unpin(id);
        return victims;
    }

    @Test
    void evictsTheLeastRecentlyUsedFirst() {
        ResidencyPolicy p = new ResidencyPolicy(100);
        use(p, "a", 40);
        use(p, "b", 40);
        use(p, "a", 40); // a is now the most recent
        assertEquals(List.of("b", "a"), p.lruOrder());
        assertEquals(List.of(new Resident("b", 40)), use(p, "c", 40));
        assertEquals(List.of("a", "c"), p.lruOrder());
        assertEquals(80, p.residentBytes());
        assertEquals(2, p.residentCount());
    }

    @Test
    void evictsAsManyAsNeededOldestFirstAndNoMore() {
        ResidencyPolicy p = new ResidencyPolicy(100);
        use(p, "a", 30);
        use(p, "b", 30);
        use(p, "c", 30);
        // 90 resident, 10 free: 55 more needs 45 freed, so a and b go and c stays
        assertEquals(List.of(new Resident("a", 30), new Resident("b", 30)), use(p, "d", 55));
        assertEquals(List.of("c", "d"), p.lruOrder());
        assertEquals(85, p.residentBytes());
    }

    @Test
    void anExactFitEvictsNothing() {
        ResidencyPolicy p = new ResidencyPolicy(100);
        use(p, "a", 60);
        assertEquals(List.of(), use(p, "b", 40));
        assertEquals(100, p.residentBytes());
        assertEquals(List.of(new Resident("a", 60)), use(p, "c", 1));
    }

    @Test
    void pinnedModelsAreNeverVictims() {
        ResidencyPolicy p = new ResidencyPolicy(100);
        use(p, "a", 40);
        use(p, "b", 40);
        assertTrue(p.pinIfResident("a")); // a batch runs on a; it is also the most recent now
        assertTrue(p.pinIfResident("b"));
        assertEquals(Optional.empty(), p.admit("c", 40), "both resident models are in use: no room now");
        assertEquals(List.of("a", "b"), p.lruOrder(), "a refused admission changes nothing");
        assertEquals(80, p.residentBytes());
        p.unpin("a");
        assertEquals(List.of(new Resident("a", 40)), p.admit("c", 40).orElseThrow(), "a was unpinned, b still runs");
        assertEquals(1, p.pins("c"), "admitted pinned for the batch that asked for it");
        assertEquals(1, p.pins("b"));
    }

    @Test
    void pinsAreCounted() {
        ResidencyPolicy p = new ResidencyPolicy(50);
        p.admit("a", 50).orElseThrow();
        assertTrue(p.pinIfResident("a"));
        assertEquals(2, p.pins("a"));
        p.unpin("a");
        assertEquals(Optional.empty(), p.admit("b", 10), "still pinned once");
        p.unpin("a");
        assertEquals(List.of(new Resident("a", 50)), p.admit("b", 10).orElseThrow());
        assertThrows(IllegalStateException.class, () -> p.unpin("a"), "not resident any more");
    }

    @Test
    void aModelLargerThanTheWholeBudgetIsAClearError() {
        ResidencyPolicy p = new ResidencyPolicy(10L << 20);
        use(p, "small", 1L << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.admit("huge", 11L << 20));
        assertTrue(e.getMessage().contains("'huge' needs 11.0 MB"), e.getMessage());
        assertTrue(e.getMessage().contains("budget of 10.0 MB"), e.getMessage());
        assertEquals(List.of("small"), p.lruOrder(), "nothing evicted for a model that can never fit");
        assertFalse(p.fitsBudget(11L << 20));
        assertTrue(p.fitsBudget(10L << 20));
    }

    @Test
    void unlimitedBudgetNeverEvictsAndDoesNotOverflow() {
        ResidencyPolicy p = new ResidencyPolicy(ResidencyPolicy.UNLIMITED);
        for (int i = 0; i < 50; i++) {
            assertEquals(List.of(), use(p, "m" + i, 1L << 40));
        }
        assertEquals(50, p.residentCount());
        assertEquals(50L << 40, p.residentBytes());
    }

    @Test
    void zeroByteModelsAndRemoval() {
        ResidencyPolicy p = new ResidencyPolicy(10);
        use(p, "a", 10);
        assertEquals(List.of(), use(p, "z", 0));
        assertTrue(p.remove("a"));
        assertFalse(p.remove("a"));
        assertEquals(0, p.residentBytes());
        assertEquals(List.of("z"), p.unpinned());
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ResidencyPolicy(0));
        ResidencyPolicy p = new ResidencyPolicy(10);
        assertThrows(IllegalArgumentException.class, () -> p.admit("a", -1));
        p.admit("a", 1);
        assertThrows(IllegalStateException.class, () -> p.admit("a", 1), "already resident");
        assertThrows(IllegalStateException.class, () -> p.unpin("b"), "never admitted");
        assertFalse(p.pinIfResident("b"));
    }
}
