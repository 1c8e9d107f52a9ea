package dev.sluice.executor.offsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.executor.offsets.CompletedOffsets.Range;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompletedOffsetsTest {
    @Test
    void encodesGapsAndLengthsInBase36AndDecodesBack() {
        CompletedOffsets c = CompletedOffsets.of(100, List.of(new Range(102, 104), new Range(110, 111)));
        assertEquals("s1:2.2,6", c.encode());
        assertEquals(c, CompletedOffsets.decode(100, "s1:2.2,6"));
        CompletedOffsets far = CompletedOffsets.of(7_000_000_000L, List.of(new Range(7_000_000_050L, 7_000_001_050L)));
        assertEquals("s1:1e.rs", far.encode(), "50 = 1e and 1000 = rs in base 36");
        assertEquals(far, CompletedOffsets.decode(7_000_000_000L, far.encode()));
    }

    @Test
    void nothingDoneAboveThePositionIsTheEmptyString() {
        assertEquals("", CompletedOffsets.none(5).encode());
        assertEquals(CompletedOffsets.none(5), CompletedOffsets.decode(5, ""));
        assertEquals(CompletedOffsets.none(5), CompletedOffsets.decode(5, null));
    }

    @Test
    void normalisesRangesAtThePositionAndTouchingRanges() {
        CompletedOffsets c = CompletedOffsets.of(10, List.of(new Range(10, 12), new Range(12, 13), new Range(15, 16),
                new Range(16, 18)));
        assertEquals(13, c.position(), "everything from 10 to 12 is done: the position moves up");
        assertEquals(List.of(new Range(15, 18)), c.ranges());
        assertThrows(IllegalArgumentException.class, () -> CompletedOffsets.of(10, List.of(new Range(8, 9))));
        assertThrows(IllegalArgumentException.class, () -> CompletedOffsets.of(10, List.of(new Range(14, 16), new Range(12, 13))));
    }

    @Test
    void knowsWhatIsDone() {
        CompletedOffsets c = CompletedOffsets.of(100, List.of(new Range(102, 104), new Range(110, 111)));
        assertTrue(c.isDone(99));
        assertFalse(c.isDone(100));
        assertFalse(c.isDone(101));
        assertTrue(c.isDone(102));
        assertTrue(c.isDone(103));
        assertFalse(c.isDone(104));
        assertTrue(c.isDone(110));
        assertFalse(c.isDone(111));
        assertEquals(List.of(new Range(103, 104), new Range(110, 111)), c.rangesFrom(103));
    }

    @Test
    void refusesMetadataItDidNotWrite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompletedOffsets.decode(0, "hello"));
        assertTrue(e.getMessage().contains("not Sluice's"), e.getMessage());
        for (String bad : List.of("s1:", "s1:0", "s1:1.0", "s1:1,,2", "s1:z!", "s1:1.")) {
            assertThrows(IllegalArgumentException.class, () -> CompletedOffsets.decode(0, bad), bad);
        }
    }

    @Test
    void anAlternatingWorstCaseOf512HeldTasksFitsTheBrokerLimit() {
        List<Range> ranges = new ArrayList<>();
        for (long o = 1; o < 1024; o += 2) {
            ranges.add(new Range(o, o + 1)); // done, held, done, held, ...
        }
        String s = CompletedOffsets.of(0, ranges).encode();
        assertTrue(s.length() < CompletedOffsets.BROKER_METADATA_LIMIT / 3, s.length() + " chars");
        assertEquals(CompletedOffsets.of(0, ranges), CompletedOffsets.decode(0, s));
    }

    @Test
    void truncationDropsTheHighestRanges() {
        CompletedOffsets c = CompletedOffsets.of(0, List.of(new Range(2, 3), new Range(4, 5), new Range(6, 7)));
        assertEquals("s1:2,1,1", c.encode());
        CompletedOffsets cut = c.truncatedTo(6);
        assertEquals(List.of(new Range(2, 3), new Range(4, 5)), cut.ranges());
        assertEquals(c, c.truncatedTo(100));
    }
}
