package dev.sluice.executor.profile;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.sluice.models.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The inputs and outputs an ONNX file declares, as catalog tensor specs, read by ONNX Runtime
 * itself: what {@code sluice catalog add} writes into a new variant's entry instead of asking the
 * user to type names and shapes.
 */
public record OnnxSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
    public static OnnxSignature read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("ONNX file not found: " + file.toAbsolutePath());
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(file.toString(), opts)) {
            return new OnnxSignature(specs(s.getInputInfo()), specs(s.getOutputInfo()));
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> nodes) {
        List<TensorSpec> out = new ArrayList<>();
        for (NodeInfo n : nodes.values()) {
            if (!(n.getInfo() instanceof TensorInfo t)) {
                throw new IllegalArgumentException("'" + n.getName() + "' is not a tensor (" + n.getInfo() + "); Sluice serves "
                        + "models whose inputs and outputs are tensors");
            }
            List<Long> shape = new ArrayList<>();
            for (long d : t.getShape()) {
                shape.add(d < 0 ? -1L : d); // symbolic dimensions read as -1
            }
            out.add(new TensorSpec(n.getName(), datatype(t.type), shape));
        }
        return out;
    }

    /** OIP datatype names. */
    private static String datatype(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> "FP32";
            case DOUBLE -> "FP64";
            case FLOAT16 -> "FP16";
            case BFLOAT16 -> "BF16";
            case INT8 -> "INT8";
            case INT16 -> "INT16";
            case INT32 -> "INT32";
            case INT64 -> "INT64";
            case UINT8 -> "UINT8";
            case BOOL -> "BOOL";
            case STRING -> "BYTES";
            default -> t.name();
        };
    }
}
