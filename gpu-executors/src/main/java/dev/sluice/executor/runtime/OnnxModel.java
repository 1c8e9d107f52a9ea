package dev.sluice.executor.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session for one model file, on CUDA when asked for and loadable, else CPU.
 * Not thread-safe by design: one executor thread owns it and gets throughput from batching.
 */
public final class OnnxModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnnxModel.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions options; // must outlive the session
    private final String inputName;
    private final String device;
    private final int sampleSize;
    private final int outputSize;
    private FloatBuffer inputBuffer;
    private volatile boolean closed;

    private OnnxModel(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options, String device,
            int sampleSize, int outputSize) throws OrtException {
        this.env = env;
        this.session = session;
        this.options = options;
        this.inputName = session.getInputNames().iterator().next();
        this.device = device;
        this.sampleSize = sampleSize;
        this.outputSize = outputSize;
    }

    /**
     * Loads {@code file}. With {@link Device#AUTO} a CUDA failure (no GPU, or CUDA 12/cuDNN 9
     * libraries missing) is logged and the CPU provider is used; with {@link Device#CUDA} it is fatal.
     */
    public static OnnxModel load(Path file, Device device, int intraOpThreads, int sampleSize, int outputSize) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file.toAbsolutePath());
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        if (device != Device.CPU) {
            OrtSession.SessionOptions gpu = null;
            try {
                gpu = baseOptions(intraOpThreads);
                gpu.addCUDA(0);
                OrtSession s = env.createSession(file.toString(), gpu);
                log.info("{}: CUDA execution provider in use", file.getFileName());
                return new OnnxModel(env, s, gpu, "cuda", sampleSize, outputSize);
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
        OrtSession.SessionOptions cpu = null;
        try {
            cpu = baseOptions(intraOpThreads);
            OrtSession s = env.createSession(file.toString(), cpu);
            return new OnnxModel(env, s, cpu, "cpu", sampleSize, outputSize);
        } catch (OrtException e) {
            if (cpu != null) {
                cpu.close();
            }
            throw new IllegalStateException("cannot load ONNX model " + file + ": " + e.getMessage(), e);
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

    public int sampleSize() {
        return sampleSize;
    }

    /**
     * Runs an all-zero batch of {@code maxBatch} samples, then one of 1, so the first real batch
     * does not pay for ONNX Runtime's first-run allocations (arena growth, kernel selection).
     */
    public void warmUp(int maxBatch) {
        run(new float[Math.max(maxBatch, 1) * sampleSize], Math.max(maxBatch, 1));
        run(new float[sampleSize], 1);
    }

    /**
     * Runs {@code batch} samples laid out back to back in {@code input} and returns the outputs,
     * {@code batch * outputSize} floats, row-major.
     */
    public float[] run(float[] input, int batch) {
        int n = batch * sampleSize;
        if (inputBuffer == null || inputBuffer.capacity() < n) {
            inputBuffer = java.nio.ByteBuffer.allocateDirect(n * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        }
        inputBuffer.clear();
        inputBuffer.put(input, 0, n).flip();
        long[] shape = {batch, 1, 28, 28};
        if (sampleSize != 784) {
            shape = new long[] {batch, sampleSize};
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, inputBuffer, shape);
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] logits = new float[batch * outputSize];
            out.get(logits);
            return logits;
        } catch (OrtException e) {
            throw new IllegalStateException("inference failed: " + e.getMessage(), e);
        }
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
