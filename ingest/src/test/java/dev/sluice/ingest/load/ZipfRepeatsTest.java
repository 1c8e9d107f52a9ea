package dev.sluice.ingest.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ZipfRepeatsTest {
    @Test
    void probabilitiesFollowZipfAndSumToOne() {
        ZipfRepeats z = new ZipfRepeats(4, 1.0, 7);
        double h = 1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0;
        assertEquals(1 / h, z.probabilityOfRank(1), 1e-12);
        assertEquals(1 / (3 * h), z.probabilityOfRank(3), 1e-12);
        double sum = 0;
        for (int r = 1; r <= 4; r++) {
            sum += z.probabilityOfRank(r);
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(0.25, new ZipfRepeats(4, 0, 7).probabilityOfRank(2), 1e-12, "exponent 0: uniform");
    }

    @Test
    void drawsRepeatTheSameSequenceForASeedAndFavourTheTopRank() {
        ZipfRepeats a = new ZipfRepeats(10_000, 1.0, 3);
        ZipfRepeats b = new ZipfRepeats(10_000, 1.0, 3);
        int[] counts = new int[10_000];
        Set<Integer> distinct = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            int x = a.next();
            assertEquals(x, b.next());
            counts[x]++;
            distinct.add(x);
        }
        int top = 0;
        for (int c : counts) {
            top = Math.max(top, c);
        }
        // rank 1 has probability 1 / H(10000) = 0.102: about 2,040 of 20,000
        assertTrue(top > 1_800 && top < 2_300, "top sample drawn " + top + " times");
        assertTrue(distinct.size() < 10_000 && distinct.size() > 3_000, distinct.size() + " distinct samples");
        assertTrue(a.next() >= 0);
        assertThrows(IllegalArgumentException.class, () -> new ZipfRepeats(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ZipfRepeats(3, -1, 1));
    }

    @Test
    void repeatParses() {
        assertEquals(new LoadRunner.Repeat(1.1, 1), LoadRunner.Repeat.parse("1.1"));
        assertEquals(new LoadRunner.Repeat(0.8, 42), LoadRunner.Repeat.parse("0.8:42"));
        assertThrows(IllegalArgumentException.class, () -> LoadRunner.Repeat.parse("-1"));
    }
}
