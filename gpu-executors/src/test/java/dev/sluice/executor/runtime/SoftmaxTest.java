package dev.sluice.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SoftmaxTest {
    private static double sum(float[] p) {
        double s = 0;
        for (float x : p) {
            s += x;
        }
        return s;
    }

    @Test
    void probabilitiesSumToOneAndKeepTheOrder() {
        float[] p = Softmax.probabilities(new float[] {1f, 2f, 3f}, 0, 3);
        assertEquals(1.0, sum(p), 1e-6);
        assertTrue(p[0] < p[1] && p[1] < p[2]);
        // e^1 / (e^1 + e^2 + e^3)
        assertEquals(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), p[0], 1e-6);
    }

    @Test
    void equalLogitsGiveAUniformDistribution() {
        float[] p = Softmax.probabilities(new float[] {4f, 4f, 4f, 4f}, 0, 4);
        for (float x : p) {
            assertEquals(0.25f, x, 1e-7);
        }
    }

    @Test
    void largeLogitsDoNotOverflow() {
        float[] p = Softmax.probabilities(new float[] {1000f, 1001f, -1000f}, 0, 3);
        assertEquals(1.0, sum(p), 1e-6);
        assertEquals(1 / (1 + Math.E), p[0], 1e-6);
        assertEquals(0.0, p[2], 1e-12);
    }

    @Test
    void readsOneRowAtAnOffset() {
        float[] logits = {9f, 9f, 0f, 0f, 0f, 9f, 9f};
        float[] p = Softmax.probabilities(logits, 2, 3);
        assertEquals(3, p.length);
        assertEquals(1.0 / 3, p[1], 1e-6);
        assertEquals(0, Softmax.argmax(logits, 2, 3), "ties go to the first");
        assertEquals(3, Softmax.argmax(logits, 2, 4), "row 0, 0, 0, 9");
    }

    @Test
    void argmaxFindsTheLargestInTheRow() {
        float[] rows = {0.1f, 0.7f, 0.2f, /* row 2 */ -3f, -1f, -2f};
        assertEquals(1, Softmax.argmax(rows, 0, 3));
        assertEquals(1, Softmax.argmax(rows, 3, 3));
        assertEquals(2, Softmax.argmax(new float[] {-5f, -4f, 8f}, 0, 3));
    }
}
