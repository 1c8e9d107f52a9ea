package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @Test
    void readsTheDebianTestSet() {
        FashionMnist t = FashionMnist.test();
        assertEquals(10_000, t.size());
        int[] perClass = new int[10];
        for (int y : t.labels()) {
            perClass[y]++;
        }
        for (int n : perClass) {
            assertEquals(1000, n); // the test set is balanced
        }
        float max = 0;
        for (float v : t.images()[0]) {
            assertTrue(v >= 0 && v <= 1);
            max = Math.max(max, v);
        }
        assertTrue(max > 0.5f);
    }

    @Test
    void missingDataSaysHowToGetIt(@TempDir Path empty) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FashionMnist.load(empty, "t10k"));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }
}
