package dev.sluice.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.models.FashionMnist;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InputViewsTest {
    private static float[] numbered() {
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = i + 1;
        }
        return px;
    }

    private static float at(float[] px, int r, int c) {
        return px[r * 28 + c];
    }

    @Test
    void viewZeroIsTheImageItself() {
        float[] px = numbered();
        InputViews.apply(0, px, 0);
        assertArrayEquals(numbered(), px);
    }

    @Test
    void viewOneMirrorsLeftToRight() {
        float[] px = numbered();
        InputViews.apply(1, px, 0);
        assertEquals(at(numbered(), 5, 27), at(px, 5, 0));
        assertEquals(at(numbered(), 5, 0), at(px, 5, 27));
    }

    @Test
    void shiftedViewsReadTheNeighbourAndFillTheEdgeWithZero() {
        float[] px = numbered();
        InputViews.apply(2, px, 0); // (dy 0, dx +1): out[r][c] = in[r][c+1]
        assertEquals(at(numbered(), 3, 4), at(px, 3, 3));
        assertEquals(0f, at(px, 3, 27));
        float[] down = numbered();
        InputViews.apply(4, down, 0); // (dy +1, dx 0): out[r][c] = in[r+1][c]
        assertEquals(at(numbered(), 1, 9), at(down, 0, 9));
        assertEquals(0f, at(down, 27, 9));
    }

    @Test
    void worksOnASliceOfABatchBuffer() {
        float[] batch = new float[3 * 784];
        System.arraycopy(numbered(), 0, batch, 784, 784);
        InputViews.apply(1, batch, 784);
        assertEquals(0f, batch[0]);
        assertEquals(at(numbered(), 0, 27), batch[784]);
        assertEquals(0f, batch[2 * 784]);
    }

    @Test
    void negativeViewsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> InputViews.apply(-1, new float[784], 0));
    }

    /**
     * The views are vgg-tta's: averaging vgg's softmax over the 8 views, made here, gives the
     * probabilities vgg-tta computes inside its graph (log of the mean probability) on real images.
     */
    @Test
    void vggOnTheEightViewsAgreesWithVggTta() {
        FashionMnist test = FashionMnist.test();
        int n = 16;
        float[] views = new float[n * 8 * 784];
        float[] plain = new float[n * 784];
        for (int i = 0; i < n; i++) {
            System.arraycopy(test.images()[i], 0, plain, i * 784, 784);
            for (int v = 0; v < 8; v++) {
                int off = (i * 8 + v) * 784;
                System.arraycopy(test.images()[i], 0, views, off, 784);
                InputViews.apply(v, views, off);
            }
        }
        try (OnnxModel vgg = OnnxModel.load(Path.of("../models/vgg.onnx"), Device.CPU, 2, 784, 10);
             OnnxModel tta = OnnxModel.load(Path.of("../models/vgg-tta.onnx"), Device.CPU, 2, 784, 10)) {
            float[] perView = vgg.run(views, n * 8);
            float[] reference = tta.run(plain, n);
            for (int i = 0; i < n; i++) {
                float[] mean = new float[10];
                for (int v = 0; v < 8; v++) {
                    float[] p = Softmax.probabilities(perView, (i * 8 + v) * 10, 10);
                    for (int c = 0; c < 10; c++) {
                        mean[c] += p[c] / 8;
                    }
                }
                float[] expected = Softmax.probabilities(reference, i * 10, 10);
                for (int c = 0; c < 10; c++) {
                    assertEquals(expected[c], mean[c], 1e-4, "image " + i + " class " + c);
                }
            }
        }
    }
}
