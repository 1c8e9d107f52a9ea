package dev.sluice.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RecordSizesTest {
    @Test
    void medianIsTheLowerMiddleValue() {
        assertEquals(5, RecordSizes.median(new int[] {9, 5, 1}));
        assertEquals(3, RecordSizes.median(new int[] {4, 3, 100, 1}));
        assertEquals(7, RecordSizes.median(new int[] {7}));
    }

    @Test
    void negativeSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RecordSizes(1, 1, -1, 1, 1));
    }
}
