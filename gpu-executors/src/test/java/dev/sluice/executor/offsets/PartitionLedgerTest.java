package dev.sluice.executor.offsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.executor.offsets.CompletedOffsets.Range;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionLedgerTest {
    private static final int LIMIT = CompletedOffsets.BROKER_METADATA_LIMIT;

    private static PartitionLedger consumed(long from, long to) {
        PartitionLedger l = PartitionLedger.fresh(LIMIT);
        for (long o = from; o < to; o++) {
            assertTrue(l.accept(o));
        }
        return l;
    }

    @Test
    void knowsNothingBeforeTheFirstRecord() {
        assertNull(PartitionLedger.fresh(LIMIT).commitPoint());
    }

    @Test
    void inOrderCompletionCommitsAPlainPosition() {
        PartitionLedger l = consumed(10, 13);
        assertEquals(CompletedOffsets.none(10), l.commitPoint(), "all held: commit the oldest");
        assertTrue(l.tryComplete(10));
        assertEquals(CompletedOffsets.none(11), l.commitPoint());
        assertTrue(l.tryComplete(11));
        assertTrue(l.tryComplete(12));
        assertEquals(CompletedOffsets.none(13), l.commitPoint(), "nothing held: the next offset");
        assertEquals("", l.commitPoint().encode());
    }

    @Test
    void outOfOrderCompletionsRideAboveTheOldestHeldOffset() {
        PartitionLedger l = consumed(10, 15);
        assertTrue(l.tryComplete(12));
        assertTrue(l.tryComplete(14));
        CompletedOffsets c = l.commitPoint();
        assertEquals(10, c.position());
        assertEquals(List.of(new Range(12, 13), new Range(14, 15)), c.ranges());
        assertTrue(l.tryComplete(10));
        assertTrue(l.tryComplete(11));
        assertEquals(CompletedOffsets.of(13, List.of(new Range(14, 15))), l.commitPoint());
        assertThrows(IllegalArgumentException.class, () -> l.tryComplete(12), "12 is no longer pending");
    }

    @Test
    void offsetsNeverDeliveredCountAsDone() {
        // 11 and 13 are transaction markers: never delivered, never pending
        PartitionLedger l = PartitionLedger.fresh(LIMIT);
        assertTrue(l.accept(10));
        assertTrue(l.accept(12));
        assertTrue(l.accept(14));
        assertTrue(l.tryComplete(12));
        assertEquals("s1:1.3", l.commitPoint().encode(), "11, 12, 13 in one range above 10");
    }

    @Test
    void aNewOwnerSkipsWhatThePreviousOneFinishedAndKeepsItUntilPassed() {
        CompletedOffsets committed = CompletedOffsets.of(100, List.of(new Range(102, 104)));
        PartitionLedger l = PartitionLedger.restored(CompletedOffsets.decode(100, committed.encode()), LIMIT);
        assertEquals(committed, l.commitPoint(), "recommitting before reading anything loses nothing");
        assertTrue(l.accept(100));
        assertEquals(committed, l.commitPoint(), "102 and 103 stay recorded while 100 is held");
        assertTrue(l.accept(101));
        assertFalse(l.accept(102), "already has a committed output");
        assertFalse(l.accept(103));
        assertTrue(l.accept(104));
        assertFalse(l.accept(101), "seen already");
        assertTrue(l.tryComplete(101));
        assertTrue(l.tryComplete(100));
        assertEquals(CompletedOffsets.none(104), l.commitPoint());
    }

    @Test
    void aFinishedPrefixOfTheRestoredRangesMovesThePosition() {
        PartitionLedger l = PartitionLedger.restored(CompletedOffsets.of(100, List.of(new Range(101, 103))), LIMIT);
        assertTrue(l.accept(100));
        assertTrue(l.tryComplete(100));
        assertEquals(CompletedOffsets.none(103), l.commitPoint(), "100 done now, 101 and 102 done before");
    }

    @Test
    void holdsBackOutOfOrderCompletionsThatWouldNotFitAndAlwaysTakesInOrderOnes() {
        int budget = 200;
        PartitionLedger l = PartitionLedger.fresh(budget);
        for (long o = 0; o < 400; o++) {
            assertTrue(l.accept(o));
        }
        List<Long> refused = new ArrayList<>();
        for (long o = 399; o >= 1; o -= 2) { // every other one, from the top: one more range each
            if (!l.tryComplete(o)) {
                refused.add(o);
            }
            assertTrue(l.commitPointWithinBudget().encode().length() <= budget);
            assertEquals(l.commitPoint(), l.commitPointWithinBudget(), "never over the budget");
        }
        assertFalse(refused.isEmpty(), "a 200-char budget cannot hold 200 ranges");
        assertTrue(refused.stream().allMatch(l::isPending), "a refused completion stays pending");
        // in-order completions always go through and make room for the held-back ones
        for (long o = 0; o < 400; o += 2) {
            assertTrue(l.tryComplete(o), "in order: " + o);
            refused.removeIf(l::tryComplete);
        }
        assertEquals(List.of(), refused);
        assertEquals(CompletedOffsets.none(400), l.commitPoint());
    }

    /**
     * Crash-and-restart on a virtual log: tasks finish in a random order, commits happen at random
     * moments, the owner crashes at random moments and a new one restores from the last commit.
     * Every offset's output must be published exactly once.
     */
    @Test
    void randomCrashesNeverRunATaskTwiceNorLoseOne() {
        Random rnd = new Random(42);
        long logEnd = 3_000;
        Map<Long, Integer> published = new HashMap<>();
        CompletedOffsets lastCommit = null;
        PartitionLedger ledger = PartitionLedger.fresh(300);
        long readPos = 0;
        List<Long> held = new ArrayList<>(); // consumed, not yet finished
        List<Long> unsent = new ArrayList<>(); // finished but held back by the ledger
        List<Long> sentSinceCommit = new ArrayList<>();
        int crashes = 0;
        for (int step = 0; step < 40_000 && (readPos < logEnd || !held.isEmpty() || !unsent.isEmpty()); step++) {
            int action = rnd.nextInt(100);
            if (action < 40 && readPos < logEnd) {
                long o = readPos++;
                if (o % 7 == 3) {
                    continue; // a transaction marker: never delivered
                }
                if (ledger.accept(o)) {
                    held.add(o);
                }
            } else if (action < 80 && !held.isEmpty()) {
                long o = held.remove(rnd.nextInt(Math.min(held.size(), 30))); // priority-like reordering
                if (ledger.tryComplete(o)) {
                    sentSinceCommit.add(o);
                } else {
                    unsent.add(o);
                }
                for (java.util.Iterator<Long> it = unsent.iterator(); it.hasNext(); ) {
                    long u = it.next();
                    if (ledger.tryComplete(u)) {
                        sentSinceCommit.add(u);
                        it.remove();
                    }
                }
            } else if (action < 97) {
                // commit: the outputs sent since the last commit become visible with the offsets
                CompletedOffsets c = ledger.commitPointWithinBudget();
                if (c != null) {
                    assertEquals(c, ledger.commitPoint(), "no truncation needed");
                    assertTrue(c.encode().length() <= 300);
                    lastCommit = CompletedOffsets.decode(c.position(), c.encode());
                    sentSinceCommit.forEach(o -> published.merge(o, 1, Integer::sum));
                    sentSinceCommit.clear();
                }
            } else {
                // crash: uncommitted outputs are aborted, a new owner reads from the last commit
                crashes++;
                sentSinceCommit.clear();
                held.clear();
                unsent.clear();
                ledger = lastCommit == null ? PartitionLedger.fresh(300) : PartitionLedger.restored(lastCommit, 300);
                readPos = lastCommit == null ? 0 : lastCommit.position();
            }
        }
        sentSinceCommit.forEach(o -> published.merge(o, 1, Integer::sum));
        assertTrue(crashes > 10, "crashes: " + crashes);
        for (long o = 0; o < logEnd; o++) {
            int expected = o % 7 == 3 ? 0 : 1;
            assertEquals(expected, published.getOrDefault(o, 0), "offset " + o + " published");
        }
    }
}
