package dev.sluice.sim.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleAnswersTest {
    /** Three samples of three classes (labels 0, 1, 2); "a" gets the first two right, "b" only the last. */
    static SampleAnswers three() {
        float[] a = {0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f, 0.5f, 0.4f, 0.1f};
        float[] b = {0.2f, 0.5f, 0.3f, 0.6f, 0.3f, 0.1f, 0.1f, 0.1f, 0.8f};
        return new SampleAnswers(new int[] {0, 1, 2}, 3, Map.of("a", a, "b", b), Map.of("a", "fa", "b", "fb"));
    }

    @Test
    void answersAreTheArgmaxWithItsProbability() {
        SampleAnswers s = three();
        assertEquals(0, s.answer("a", 0));
        assertEquals(0.7f, s.confidence("a", 0));
        assertEquals(0, s.answer("a", 2)); // wrong: the label is 2
        assertEquals(1, s.answer("b", 0));
        assertEquals(List.of(0.1f, 0.1f, 0.8f), s.probabilities("b", 2));
        assertEquals(2.0 / 3, s.accuracy("a"), 1e-12);
        assertEquals(1.0 / 3, s.accuracy("b"), 1e-12);
        assertTrue(s.has("a"));
        assertFalse(s.has("c"));
    }

    @Test
    void requestsTakeTheSamplesInTurn() {
        SampleAnswers s = three();
        assertEquals(0, s.sampleOf(0));
        assertEquals(2, s.sampleOf(5));
        assertEquals(0, s.sampleOf(6));
        // requests 0..3 carry samples 0, 1, 2, 0: "a" right on 0, 1, 0
        assertEquals(0.75, s.accuracyOverFirst("a", 4), 1e-12);
    }

    @Test
    void aFileReadsBackWithItsFingerprints(@TempDir Path dir) {
        Path f = dir.resolve("sub/x.answers");
        three().write(f);
        SampleAnswers r = SampleAnswers.read(f);
        assertEquals(3, r.samples());
        assertEquals(3, r.classes());
        assertEquals("fb", r.fingerprint("b"));
        assertEquals(three().probabilities("a", 1), r.probabilities("a", 1));
        assertEquals(2, r.label(2));
    }

    @Test
    void mergingKeepsTheNewerVariant() {
        SampleAnswers other = new SampleAnswers(new int[] {0, 1, 2}, 3,
                Map.of("b", new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}), Map.of("b", "fb2"));
        SampleAnswers m = three().with(other);
        assertEquals("fb2", m.fingerprint("b"));
        assertEquals(1.0, m.accuracy("b"));
        assertEquals("fa", m.fingerprint("a"));
        assertThrows(IllegalArgumentException.class, () -> three().with(new SampleAnswers(new int[] {0, 0, 0}, 3, Map.of(),
                Map.of())));
    }

    @Test
    void rejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> new SampleAnswers(new int[] {0, 1}, 3,
                Map.of("a", new float[5]), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new SampleAnswers(new int[] {0, 3}, 3, Map.of(), Map.of()));
    }
}
