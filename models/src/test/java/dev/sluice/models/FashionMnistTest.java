package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @Test
    void readsTheTestSet() {
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
    void theRepositoryShipsTheTestSplitOnTheClasspath() {
        ClassLoader loader = getClass().getClassLoader();
        assertTrue(loader.getResource(FashionMnist.BUNDLED + "LICENSE") != null, "the MIT licence travels with the data");
        FashionMnist bundled = FashionMnist.loadBundled(loader, "t10k");
        assertEquals(10_000, bundled.size());
        assertEquals(9, bundled.labels()[0]); // the first test image is an ankle boot
        Path debian = Path.of(FashionMnist.DEFAULT_DIR);
        if (Files.isRegularFile(debian.resolve("t10k-images-idx3-ubyte.gz"))) { // the same images as Debian's package
            FashionMnist d = FashionMnist.load(debian, "t10k");
            assertArrayEquals(d.labels(), bundled.labels());
            for (int i = 0; i < d.size(); i += 997) {
                assertArrayEquals(d.images()[i], bundled.images()[i]);
            }
        }
    }

    @Test
    void theValidationSplitIsTheListedTrainingImagesInFileOrder() {
        Path split = Path.of("splits/validation-indices.txt");
        assumeTrue(Files.isRegularFile(FashionMnist.defaultDir().resolve("train-images-idx3-ubyte.gz")),
                "the training split is not shipped: install dataset-fashion-mnist or set SLUICE_FASHION_MNIST");
        int[] idx = FashionMnist.readIndices(split);
        assertEquals(5000, idx.length);
        FashionMnist train = FashionMnist.train();
        FashionMnist v = FashionMnist.validation(split);
        assertEquals(5000, v.size());
        for (int i : new int[] {0, 1, 2499, 4999}) {
            assertEquals(train.labels()[idx[i]], v.labels()[i]);
            assertArrayEquals(train.images()[idx[i]], v.images()[i]);
        }
    }

    @Test
    void splitFilesSkipCommentsAndRejectDuplicatesAndJunk(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("split.txt");
        Files.writeString(f, "# held out\n3\n\n1\n");
        assertArrayEquals(new int[] {3, 1}, FashionMnist.readIndices(f));
        FashionMnist four = new FashionMnist(new float[][] {{0f}, {1f}, {2f}, {3f}}, new int[] {0, 1, 2, 3});
        FashionMnist sub = four.subset(FashionMnist.readIndices(f));
        assertArrayEquals(new int[] {3, 1}, sub.labels());
        assertEquals(3f, sub.images()[0][0]);
        assertThrows(IllegalArgumentException.class, () -> four.subset(new int[] {4}));
        Files.writeString(f, "1\n2\n1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.readIndices(f));
        assertTrue(e.getMessage().contains(":3: index 1 listed twice"), e.getMessage());
        Files.writeString(f, "1\nx\n");
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.readIndices(f));
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.readIndices(dir.resolve("missing.txt")));
    }

    @Test
    void missingDataSaysHowToGetIt(@TempDir Path empty) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FashionMnist.load(empty, "t10k"));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }
}
