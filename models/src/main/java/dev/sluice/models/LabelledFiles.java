package dev.sluice.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A labelled set from two files, features and labels, each a NumPy {@code .npy} array or an IDX
 * file (the MNIST format, gzipped or not): what {@code sluice catalog add --labelled} measures a
 * model's accuracy on. Features are N samples of any shape, read as float32 (IDX and NumPy
 * unsigned-byte features are scaled to [0,1], as the zoo's images are); labels are N integers.
 */
public final class LabelledFiles {
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** An array as read: its shape and its values as floats. */
    record Array(long[] shape, float[] values) {
        int rows() {
            return shape.length == 0 ? 1 : Math.toIntExact(shape[0]);
        }

        int rowSize() {
            long n = 1;
            for (int i = 1; i < shape.length; i++) {
                n *= shape[i];
            }
            return Math.toIntExact(n);
        }
    }

    private LabelledFiles() {}

    /**
     * The samples of {@code features} for one modality, labelled by {@code labels}.
     *
     * @param sampleSize floats per sample the model takes: a features file of another shape is refused
     */
    public static LabelledSet load(Path features, Path labels, String modality, int sampleSize) {
        Array x = read(features, true);
        Array y = read(labels, false);
        if (x.shape().length < 2) {
            throw new IllegalArgumentException(features + " has shape " + java.util.Arrays.toString(x.shape())
                    + "; features must be [N, ...] with one sample per row");
        }
        if (x.rowSize() != sampleSize) {
            throw new IllegalArgumentException(features + " holds samples of shape " + java.util.Arrays.toString(
                    java.util.Arrays.copyOfRange(x.shape(), 1, x.shape().length)) + " (" + x.rowSize() + " values) but the "
                    + "model takes " + sampleSize + " values a sample");
        }
        if (y.shape().length != 1 && !(y.shape().length == 2 && y.shape()[1] == 1)) {
            throw new IllegalArgumentException(labels + " has shape " + java.util.Arrays.toString(y.shape())
                    + "; labels must be [N] class indices");
        }
        if (y.rows() != x.rows()) {
            throw new IllegalArgumentException(features + " holds " + x.rows() + " samples but " + labels + " " + y.rows()
                    + " labels");
        }
        int n = x.rows();
        int size = x.rowSize();
        float[][] samples = new float[n][];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            samples[i] = java.util.Arrays.copyOfRange(x.values(), i * size, (i + 1) * size);
            float label = y.values()[i];
            if (label != Math.rint(label) || label < 0) {
                throw new IllegalArgumentException(labels + " row " + i + " is " + label + "; labels must be class indices 0, 1, ...");
            }
            classes[i] = (int) label;
        }
        String description = n + " labelled samples from " + features.getFileName();
        return new LabelledSet() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public List<String> modalities() {
                return List.of(modality);
            }

            @Override
            public int label(int i) {
                return classes[i];
            }

            @Override
            public float[] sample(String m, int i) {
                if (!modality.equals(m)) {
                    throw new IllegalArgumentException(description + " hold '" + modality + "' samples only, not '" + m + "'");
                }
                return samples[i];
            }

            @Override
            public String description() {
                return description;
            }
        };
    }

    /** A {@code .npy} file by its name, IDX otherwise. */
    static Array read(Path file, boolean scaleBytes) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("labelled data file not found: " + file.toAbsolutePath());
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                bytes = gunzip(bytes);
            }
            if (bytes.length >= 6 && (bytes[0] & 0xff) == 0x93 && new String(bytes, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
                return npy(file, bytes, scaleBytes);
            }
            if (bytes.length >= 4 && bytes[0] == 0 && bytes[1] == 0) {
                return idx(file, bytes, scaleBytes);
            }
            throw new IllegalArgumentException(file + " is neither a NumPy .npy array nor an IDX file (gzipped or not)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(file + " is truncated or malformed: " + e, e);
        }
    }

    private static Array npy(Path file, byte[] b, boolean scaleBytes) {
        int major = b[6];
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IllegalArgumentException(file + ": unreadable .npy header " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new IllegalArgumentException(file + " is in Fortran order; save it with np.ascontiguousarray first");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.trim()));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String kind = d.group(2) + d.group(3);
        ByteBuffer data = ByteBuffer.wrap(b, start + headerLen, b.length - start - headerLen).slice().order(order);
        return new Array(shape, values(file, data, kind, count(shape), scaleBytes));
    }

    private static Array idx(Path file, byte[] b, boolean scaleBytes) {
        int type = b[2] & 0xff;
        int rank = b[3] & 0xff;
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = Integer.toUnsignedLong(buf.getInt(4 + 4 * i));
        }
        String kind = switch (type) {
            case 0x08 -> "u1";
            case 0x09 -> "i1";
            case 0x0B -> "i2";
            case 0x0C -> "i4";
            case 0x0D -> "f4";
            case 0x0E -> "f8";
            default -> throw new IllegalArgumentException(file + ": unknown IDX data type 0x" + Integer.toHexString(type));
        };
        int start = 4 + 4 * rank;
        ByteBuffer data = ByteBuffer.wrap(b, start, b.length - start).slice().order(ByteOrder.BIG_ENDIAN);
        return new Array(shape, values(file, data, kind, count(shape), scaleBytes));
    }

    private static int count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    private static float[] values(Path file, ByteBuffer data, String kind, int n, boolean scaleBytes) {
        int width = Integer.parseInt(kind.substring(1));
        if (data.remaining() < (long) n * width) {
            throw new IllegalArgumentException(file + " is truncated: its shape needs " + (long) n * width + " bytes of data, it has "
                    + data.remaining());
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (kind) {
                case "u1" -> scaleBytes ? (data.get(i) & 0xff) / 255f : data.get(i) & 0xff;
                case "i1" -> data.get(i);
                case "i2" -> data.getShort(2 * i);
                case "i4" -> data.getInt(4 * i);
                case "i8" -> data.getLong(8 * i);
                case "u8" -> data.getLong(8 * i);
                case "f4" -> data.getFloat(4 * i);
                case "f8" -> (float) data.getDouble(8 * i);
                case "b1" -> data.get(i);
                default -> throw new IllegalArgumentException(file + ": dtype " + kind + " is not supported (use float32, "
                        + "float64, uint8 or integers)");
            };
        }
        return out;
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
