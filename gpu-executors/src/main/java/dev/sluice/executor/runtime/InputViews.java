package dev.sluice.executor.runtime;

/**
 * Test-time views of a 1x28x28 image for self-consistency, the same shifts and flips the zoo's
 * vgg was trained with and that vgg-tta averages inside its graph (models/scripts/train_zoo.py,
 * TTA_VIEWS): view {@code i} shifts by (dy, dx) pixels with zero fill, then optionally mirrors
 * left to right. Views beyond the list cycle through it. Pure; works in place on a slice.
 */
public final class InputViews {
    public static final int SIDE = 28;
    public static final int SAMPLE = SIDE * SIDE;
    // (dy, dx, flip), in train_zoo.py's order
    private static final int[][] VIEWS = {
            {0, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, -1, 0}, {1, 0, 0}, {-1, 0, 0}, {0, 1, 1}, {0, -1, 1}};

    private InputViews() {}

    public static int count() {
        return VIEWS.length;
    }

    /** Rewrites {@code data[offset, offset + 784)} as view {@code view} of the image it holds. */
    public static void apply(int view, float[] data, int offset) {
        if (view < 0) {
            throw new IllegalArgumentException("view must not be negative: " + view);
        }
        int[] v = VIEWS[view % VIEWS.length];
        int dy = v[0];
        int dx = v[1];
        boolean flip = v[2] == 1;
        if (dy == 0 && dx == 0 && !flip) {
            return;
        }
        float[] src = new float[SAMPLE];
        System.arraycopy(data, offset, src, 0, SAMPLE);
        for (int r = 0; r < SIDE; r++) {
            for (int c = 0; c < SIDE; c++) {
                int sc = flip ? SIDE - 1 - c : c; // mirror after the shift: out[r][c] = shifted[r][27 - c]
                int y = r + dy;
                int x = sc + dx;
                data[offset + r * SIDE + c] = y >= 0 && y < SIDE && x >= 0 && x < SIDE ? src[y * SIDE + x] : 0f;
            }
        }
    }
}
