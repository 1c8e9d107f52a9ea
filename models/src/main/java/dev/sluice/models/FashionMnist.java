package dev.sluice.models;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The Fashion-MNIST test and training sets (gzipped IDX files). Pixels are scaled to [0,1],
 * row-major 28x28.
 *
 * <p>Where they come from: the directory named by {@code SLUICE_FASHION_MNIST} when it is set;
 * else, for the test split, the repository's copy on the classpath (module {@code sluice-datasets},
 * {@code datasets/fashion-mnist/}, MIT-licensed); else Debian's {@code dataset-fashion-mnist}
 * package ({@value #DEFAULT_DIR}). The training split is not shipped: only the environment
 * variable or Debian's directory provide it.
 */
public record FashionMnist(float[][] images, int[] labels) {
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String ENV = "SLUICE_FASHION_MNIST";
    /** Where module sluice-datasets puts the test split on the classpath. */
    public static final String BUNDLED = "dev/sluice/datasets/fashion-mnist/";
    public static final String[] CLASS_NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    public int size() {
        return labels.length;
    }

    /** The directory from SLUICE_FASHION_MNIST, else Debian's. */
    public static Path defaultDir() {
        String env = System.getenv(ENV);
        return Path.of(env != null && !env.isBlank() ? env : DEFAULT_DIR);
    }

    /** The test split: SLUICE_FASHION_MNIST's directory if set, else the bundled copy, else Debian's. */
    public static FashionMnist test() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return load(Path.of(env), "t10k");
        }
        ClassLoader loader = FashionMnist.class.getClassLoader();
        if (loader.getResource(BUNDLED + "t10k-images-idx3-ubyte.gz") != null
                && loader.getResource(BUNDLED + "t10k-labels-idx1-ubyte.gz") != null) {
            return loadBundled(loader, "t10k");
        }
        return load(Path.of(DEFAULT_DIR), "t10k");
    }

    /** The bundled test split, read from the classpath ({@link #BUNDLED}). */
    static FashionMnist loadBundled(ClassLoader loader, String prefix) {
        String where = "classpath:" + BUNDLED;
        return read(where, () -> loader.getResourceAsStream(BUNDLED + prefix + "-images-idx3-ubyte.gz"),
                () -> loader.getResourceAsStream(BUNDLED + prefix + "-labels-idx1-ubyte.gz"));
    }

    public static FashionMnist train() {
        return load(defaultDir(), "train");
    }

    /**
     * The validation split: the images of the training set listed in {@code indicesFile} (one
     * index per line; blank lines and lines starting with '#' are skipped), in file order. The
     * zoo's models never trained on them (models/splits/validation-indices.txt).
     */
    public static FashionMnist validation(Path indicesFile) {
        return train().subset(readIndices(indicesFile));
    }

    /** The samples at {@code indices}, in that order (images shared, not copied). */
    public FashionMnist subset(int[] indices) {
        float[][] img = new float[indices.length][];
        int[] lab = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int k = indices[i];
            if (k < 0 || k >= size()) {
                throw new IllegalArgumentException("index " + k + " outside a set of " + size() + " samples");
            }
            img[i] = images[k];
            lab[i] = labels[k];
        }
        return new FashionMnist(img, lab);
    }

    /** Reads a split file: one index per line, '#' comments and blank lines skipped, no duplicates. */
    public static int[] readIndices(Path indicesFile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(indicesFile);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read split " + indicesFile + ": " + e.getMessage(), e);
        }
        int[] out = new int[lines.size()];
        int n = 0;
        Set<Integer> seen = new HashSet<>();
        for (int line = 0; line < lines.size(); line++) {
            String t = lines.get(line).trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int k;
            try {
                k = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(indicesFile + ":" + (line + 1) + ": not an index: '" + t + "'");
            }
            if (!seen.add(k)) {
                throw new IllegalArgumentException(indicesFile + ":" + (line + 1) + ": index " + k + " listed twice");
            }
            out[n++] = k;
        }
        return Arrays.copyOf(out, n);
    }

    public static FashionMnist load(Path dir, String prefix) {
        Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IllegalStateException("Fashion-MNIST not found in " + dir + ": "
                    + ("t10k".equals(prefix) ? "the repository ships the test split (module sluice-datasets, put it on"
                            + " the classpath, or point " + ENV + " at datasets/fashion-mnist); " : "")
                    + "install Debian's with 'sudo apt-get install dataset-fashion-mnist'"
                    + " or point " + ENV + " at a directory holding " + prefix + "-*-ubyte.gz");
        }
        return read(dir.toString(), () -> Files.newInputStream(images), () -> Files.newInputStream(labels));
    }

    private interface Source {
        InputStream open() throws IOException;
    }

    private static FashionMnist read(String where, Source images, Source labels) {
        try {
            byte[] lab = readIdx(labels, 0x801, where);
            byte[] img = readIdx(images, 0x803, where);
            int n = lab.length;
            if (img.length != n * 784L) {
                throw new IOException(where + ": " + n + " labels but " + img.length / 784 + " images");
            }
            float[][] out = new float[n][784];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = lab[i];
                for (int p = 0; p < 784; p++) {
                    out[i][p] = (img[i * 784 + p] & 0xff) / 255f;
                }
            }
            return new FashionMnist(out, y);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Fashion-MNIST from " + where + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readIdx(Source file, int magic, String where) throws IOException {
        try (InputStream raw = file.open();
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int m = in.readInt();
            if (m != magic) {
                throw new IOException(where + ": bad IDX magic " + Integer.toHexString(m));
            }
            int dims = m & 0xff;
            long n = 1;
            for (int i = 0; i < dims; i++) {
                n *= in.readInt();
            }
            byte[] data = new byte[Math.toIntExact(n)];
            in.readFully(data);
            return data;
        }
    }
}
