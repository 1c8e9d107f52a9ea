package dev.sluice.executor.runtime;

/** Probabilities and argmax from one row of logits. */
public final class Softmax {
    private Softmax() {}

    public static float[] probabilities(float[] logits, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        float[] p = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = (float) Math.exp(logits[offset + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= (float) sum;
        }
        return p;
    }

    public static int argmax(float[] v, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[offset + i] > v[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
