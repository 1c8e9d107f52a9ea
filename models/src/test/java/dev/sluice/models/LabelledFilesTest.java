package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledFilesTest {
    @TempDir
    Path dir;

    /** A version-1 .npy file: header dict padded to 64 bytes, then the raw little-endian data. */
    static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = 64 - (10 + dict.length() + 1) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void numpyFeaturesAndLabels() throws IOException {
        Path x = write("x.npy", npy("<f4", "(3, 2)", floats(1, 2, 3, 4, 5, 6)));
        Path y = write("y.npy", npy("<i8", "(3,)", longs(0, 2, 1)));
        LabelledSet s = LabelledFiles.load(x, y, "features", 2);
        assertEquals(3, s.size());
        assertArrayEquals(new float[] {3, 4}, s.sample("features", 1));
        assertEquals(2, s.label(1));
        assertEquals(java.util.List.of("features"), s.modalities());
    }

    @Test
    void gzippedIdxBytesAreScaledForFeaturesNotForLabels() throws IOException {
        ByteBuffer images = ByteBuffer.allocate(4 + 12 + 8).order(ByteOrder.BIG_ENDIAN);
        images.put(new byte[] {0, 0, 0x08, 3}).putInt(2).putInt(2).putInt(2).put(new byte[] {0, (byte) 255, 51, 102, 1, 2, 3, 4});
        ByteBuffer labels = ByteBuffer.allocate(4 + 4 + 2).order(ByteOrder.BIG_ENDIAN);
        labels.put(new byte[] {0, 0, 0x08, 1}).putInt(2).put(new byte[] {7, 9});
        LabelledSet s = LabelledFiles.load(write("x-idx3-ubyte.gz", gzip(images.array())), write("y-idx1-ubyte", labels.array()),
                "image", 4);
        assertArrayEquals(new float[] {0f, 1f, 0.2f, 0.4f}, s.sample("image", 0), 1e-6f);
        assertEquals(9, s.label(1));
    }

    @Test
    void wrongShapesAndUnreadableFilesAreClearErrors() throws IOException {
        Path x = write("x.npy", npy("<f4", "(3, 2)", floats(1, 2, 3, 4, 5, 6)));
        Path y = write("y.npy", npy("<i8", "(3,)", longs(0, 2, 1)));
        assertError("model takes 49 values a sample", () -> LabelledFiles.load(x, y, "f", 49));
        Path two = write("y2.npy", npy("<i8", "(2,)", longs(0, 1)));
        assertError("holds 3 samples but", () -> LabelledFiles.load(x, two, "f", 2));
        Path frac = write("yf.npy", npy("<f4", "(3,)", floats(0, 0.5f, 1)));
        assertError("labels must be class indices", () -> LabelledFiles.load(x, frac, "f", 2));
        Path junk = write("junk.bin", new byte[] {42, 1, 2, 3, 4, 5, 6, 7});
        assertError("neither a NumPy .npy array nor an IDX file", () -> LabelledFiles.load(junk, y, "f", 2));
        Path cut = write("cut.npy", npy("<f4", "(3, 2)", floats(1, 2, 3)));
        assertError("is truncated", () -> LabelledFiles.load(cut, y, "f", 2));
        assertError("not found", () -> LabelledFiles.load(dir.resolve("nope.npy"), y, "f", 2));
        Path strings = write("s.npy", npy("<U5", "(3, 2)", new byte[120]));
        assertError("is not supported", () -> LabelledFiles.load(strings, y, "f", 2));
    }

    private static void assertError(String part, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }
}
