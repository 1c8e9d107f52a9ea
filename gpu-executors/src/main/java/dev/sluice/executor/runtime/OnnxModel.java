package dev.sluice.executor.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session for one model file, on CUDA when asked for and loadable, else CPU.
 * Not thread-safe by design: one executor thread owns it and gets throughput from batching.
 *
 * <p>A model has one input or several (one per modality, e.g. an image and audio features), each
 * described by a {@link TensorSpec} whose shape has -1 for the batch axis. A model with one input is
 * fed under the session's own input name, whatever the catalog calls it; a model with several is
 * fed by the catalog's names, which must be the model's.
 */
public final class OnnxModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnnxModel.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions options; // must outlive the session
    private final String[] inputNames; // the session's names, in the catalog's order
    private final long[][] sampleShapes; // each input's shape without the batch axis
    private final int[] sampleSizes;
    private final String device;
    private final int outputSize;
    private final FloatBuffer[] inputBuffers;
    private volatile boolean closed;

    private OnnxModel(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options, String device,
            List<TensorSpec> inputs, int outputSize) throws OrtException {
        this.env = env;
        this.session = session;
        this.options = options;
        this.device = device;
        this.outputSize = outputSize;
        List<String> names = new ArrayList<>(session.getInputNames());
        int k = inputs.size();
        if (k == 0) {
            throw new IllegalArgumentException("no input described");
        }
        if (k != names.size()) {
            throw new IllegalArgumentException("the model takes " + names.size() + " inputs " + names + "; the catalog lists "
                    + k + " " + inputs.stream().map(TensorSpec::name).toList());
        }
        this.inputNames = new String[k];
        this.sampleShapes = new long[k][];
        this.sampleSizes = new int[k];
        this.inputBuffers = new FloatBuffer[k];
        for (int i = 0; i < k; i++) {
            TensorSpec spec = inputs.get(i);
            if (k == 1) {
                inputNames[i] = names.get(0); // one input: fed whatever its name
            } else if (names.contains(spec.name())) {
                inputNames[i] = spec.name();
            } else {
                throw new IllegalArgumentException("the model has no input '" + spec.name() + "'; its inputs are " + names);
            }
            if (!"FP32".equals(spec.datatype())) {
                throw new IllegalArgumentException("input '" + spec.name() + "' is " + spec.datatype() + "; only FP32 inputs are served");
            }
            sampleShapes[i] = new long[spec.shape().size() - 1];
            for (int d = 1; d < spec.shape().size(); d++) {
                long n = spec.shape().get(d);
                if (n < 1) {
                    throw new IllegalArgumentException("input '" + spec.name() + "' has shape " + spec.shape()
                            + ": only the first (batch) axis may be dynamic");
                }
                sampleShapes[i][d - 1] = n;
            }
            sampleSizes[i] = spec.sampleSize();
        }
    }

    /**
     * Loads a one-input model taking {@code sampleSize} floats a sample: [N, 1, 28, 28] for 784,
     * else [N, sampleSize]. Kept for callers that know only a sample size.
     */
    public static OnnxModel load(Path file, Device device, int intraOpThreads, int sampleSize, int outputSize) {
        List<Long> shape = sampleSize == 784 ? List.of(-1L, 1L, 28L, 28L) : List.of(-1L, (long) sampleSize);
        return load(file, device, intraOpThreads, List.of(new TensorSpec("input", "FP32", shape)), outputSize);
    }

    /** Loads a catalog variant's model with its inputs ({@link Variant#allInputs()}) and output size. */
    public static OnnxModel load(Variant v, Path catalogDir, Device device, int intraOpThreads) {
        return load(v.resolve(catalogDir), device, intraOpThreads, v.allInputs(), v.output().sampleSize());
    }

    /**
     * Loads {@code file} with inputs {@code inputs} (in the order {@link #run(float[][], int)}
     * takes them). With {@link Device#AUTO} a CUDA failure (no GPU, or CUDA 12/cuDNN 9 libraries
     * missing) is logged and the CPU provider is used; with {@link Device#CUDA} it is fatal. Inputs
     * that do not match the model's fail the load.
     */
    public static OnnxModel load(Path file, Device device, int intraOpThreads, List<TensorSpec> inputs, int outputSize) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file.toAbsolutePath());
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        OrtSession.SessionOptions opts = null;
        String used = "cpu";
        if (device != Device.CPU) {
            OrtSession.SessionOptions gpu = null;
            try {
                gpu = baseOptions(intraOpThreads);
                gpu.addCUDA(0);
                session = env.createSession(file.toString(), gpu);
                opts = gpu;
                used = "cuda";
                log.info("{}: CUDA execution provider in use", file.getFileName());
            } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
                if (gpu != null) {
                    gpu.close();
                }
                if (device == Device.CUDA) {
                    throw new IllegalStateException("CUDA requested but unavailable for " + file + ": " + e.getMessage(), e);
                }
                log.info("{}: CUDA unavailable ({}); using the CPU provider", file.getFileName(), firstLine(e.getMessage()));
            }
        }
        if (session == null) {
            OrtSession.SessionOptions cpu = null;
            try {
                cpu = baseOptions(intraOpThreads);
                session = env.createSession(file.toString(), cpu);
                opts = cpu;
            } catch (OrtException e) {
                if (cpu != null) {
                    cpu.close();
                }
                throw new IllegalStateException("cannot load ONNX model " + file + ": " + e.getMessage(), e);
            }
        }
        try {
            return new OnnxModel(env, session, opts, used, inputs, outputSize);
        } catch (OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // already failing
            }
            opts.close();
            throw new IllegalArgumentException("model " + file + " does not match its catalog entry: " + e.getMessage(), e);
        }
    }

    /**
     * The device a load with {@code device} is expected to use, without loading a model: for AUTO,
     * whether the CUDA provider library loads here (a GPU missing behind a loadable library still
     * falls back to CPU at load, and the model then reports cpu).
     */
    public static String expectedDevice(Device device) {
        if (device != Device.AUTO) {
            return device == Device.CUDA ? "cuda" : "cpu";
        }
        OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
            probe.addCUDA(0);
            return "cuda";
        } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
            return "cpu";
        }
    }

    private static OrtSession.SessionOptions baseOptions(int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        // several sessions share two cores: idle threads must sleep, not spin
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public String device() {
        return device;
    }

    /** Floats of one sample of the first (for a one-input model, the only) input. */
    public int sampleSize() {
        return sampleSizes[0];
    }

    /** Floats of one sample of input {@code k}. */
    public int sampleSize(int k) {
        return sampleSizes[k];
    }

    public int inputCount() {
        return sampleSizes.length;
    }

    /**
     * Runs an all-zero batch of {@code maxBatch} samples, then one of 1, so the first real batch
     * does not pay for ONNX Runtime's first-run allocations (arena growth, kernel selection).
     */
    public void warmUp(int maxBatch) {
        for (int b : new int[] {Math.max(maxBatch, 1), 1}) {
            float[][] zeros = new float[sampleSizes.length][];
            for (int k = 0; k < zeros.length; k++) {
                zeros[k] = new float[b * sampleSizes[k]];
            }
            run(zeros, b, r -> null); // reads no output: any output kind warms up alike
        }
    }

    /**
     * Runs {@code batch} samples laid out back to back in {@code input} through a one-input model
     * and returns the outputs, {@code batch * outputSize} floats, row-major.
     */
    public float[] run(float[] input, int batch) {
        if (sampleSizes.length != 1) {
            throw new IllegalStateException("the model takes " + sampleSizes.length + " inputs " + Arrays.toString(inputNames)
                    + "; run it with one array per input");
        }
        return run(new float[][] {input}, batch, r -> logits(r, batch));
    }

    /**
     * Runs {@code batch} samples as {@link #run(float[][], int)} does and returns every output of
     * the model as it returned it (any shape, any numeric datatype), in the model's output order:
     * what a variant whose answer is not class scores serves.
     */
    public List<BatchOutput> runTensors(float[][] inputs, int batch) {
        return run(inputs, batch, r -> {
            List<BatchOutput> out = new ArrayList<>(r.size());
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                if (!(e.getValue() instanceof OnnxTensor t)) {
                    throw new IllegalArgumentException("output '" + e.getKey() + "' is a " + e.getValue().getType()
                            + ", not a tensor");
                }
                out.add(BatchOutput.of(e.getKey(), t));
            }
            return out;
        });
    }

    /**
     * Runs {@code batch} samples; {@code inputs[k]} holds input {@code k}'s samples back to back
     * (the order the model was loaded with). Returns {@code batch * outputSize} floats, row-major.
     */
    public float[] run(float[][] inputs, int batch) {
        return run(inputs, batch, r -> logits(r, batch));
    }

    private <T> T run(float[][] inputs, int batch, java.util.function.Function<OrtSession.Result, T> read) {
        if (inputs.length != sampleSizes.length) {
            throw new IllegalArgumentException(inputs.length + " input arrays for a model with " + sampleSizes.length
                    + " inputs " + Arrays.toString(inputNames));
        }
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (int k = 0; k < inputs.length; k++) {
                feed.put(inputNames[k], tensor(k, inputs[k], batch));
            }
            try (OrtSession.Result r = session.run(feed)) {
                return read.apply(r);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("inference failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** Input {@code k}'s first {@code batch} samples of {@code data}, copied into its reused direct buffer. */
    private OnnxTensor tensor(int k, float[] data, int batch) throws OrtException {
        int n = batch * sampleSizes[k];
        if (data.length < n) {
            throw new IllegalArgumentException("input '" + inputNames[k] + "': " + data.length + " floats for " + batch
                    + " samples of " + sampleSizes[k]);
        }
        FloatBuffer buf = inputBuffers[k];
        if (buf == null || buf.capacity() < n) {
            buf = java.nio.ByteBuffer.allocateDirect(n * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
            inputBuffers[k] = buf;
        }
        buf.clear();
        buf.put(data, 0, n).flip();
        long[] shape = new long[sampleShapes[k].length + 1];
        shape[0] = batch;
        System.arraycopy(sampleShapes[k], 0, shape, 1, sampleShapes[k].length);
        return OnnxTensor.createTensor(env, buf, shape);
    }

    private float[] logits(OrtSession.Result r, int batch) {
        FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
        float[] logits = new float[batch * outputSize];
        out.get(logits);
        return logits;
    }

    /** Whether {@link #close} ran (the native session is released). */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("closing session: {}", e.getMessage());
        }
        options.close();
    }
}
