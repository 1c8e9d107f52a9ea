package dev.sluice.executor.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.TensorInfo;
import dev.sluice.decision.vote.OutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One output tensor of a batch run, as the model returned it: its name, OIP datatype, shape (the
 * batch axis first) and row-major little-endian bytes. {@link #sample} cuts out one request's part.
 * Every integer type, bool, float and double maps to its Open Inference Protocol name; strings and
 * the other floats (float16, bfloat16, float8, complex) are not served and are refused by name.
 */
public record BatchOutput(String name, String datatype, long[] shape, byte[] data) {
    public BatchOutput {
        shape = shape.clone();
    }

    /** The output of a run read out of ONNX Runtime's tensor, converted to little-endian. */
    static BatchOutput of(String name, OnnxTensor t) {
        TensorInfo info = t.getInfo();
        String datatype = oipDatatype(info.onnxType);
        if (datatype == null) {
            throw new IllegalArgumentException("output '" + name + "' is " + info.onnxType
                    + ", which has no Open Inference Protocol datatype Sluice serves (integers, BOOL, FP32 and FP64 only)");
        }
        ByteBuffer native_ = t.getByteBuffer().order(ByteOrder.nativeOrder());
        byte[] le = new byte[native_.remaining()];
        int size = elementBytes(datatype);
        if (size == 1 || ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            native_.get(le);
        } else {
            for (int i = 0; i < le.length; i += size) {
                for (int b = 0; b < size; b++) {
                    le[i + b] = native_.get(i + size - 1 - b);
                }
            }
        }
        return new BatchOutput(name, datatype, info.getShape(), le);
    }

    /** The OIP datatype of an ONNX element type, or null when there is none served. */
    static String oipDatatype(TensorInfo.OnnxTensorType type) {
        return switch (type) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> "FP32";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> "FP64";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> "INT8";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> "INT16";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> "INT32";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> "INT64";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> "UINT8";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> "UINT16";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> "UINT32";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> "UINT64";
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> "BOOL";
            default -> null;
        };
    }

    /** Bytes of one element of an OIP numeric datatype. */
    static int elementBytes(String datatype) {
        return switch (datatype) {
            case "BOOL", "INT8", "UINT8" -> 1;
            case "INT16", "UINT16" -> 2;
            case "FP32", "INT32", "UINT32" -> 4;
            case "FP64", "INT64", "UINT64" -> 8;
            default -> throw new IllegalArgumentException("no fixed element size for " + datatype);
        };
    }

    /**
     * Sample {@code i} of a batch of {@code batch}: the shape with the batch axis set to 1, and that
     * sample's bytes.
     *
     * @throws IllegalArgumentException when the output has no batch axis of {@code batch}
     */
    public OutputTensor sample(int i, int batch) {
        if (shape.length == 0 || shape[0] != batch) {
            throw new IllegalArgumentException("output '" + name + "' has shape " + Arrays.toString(shape)
                    + ", no batch axis of " + batch + " to split between the requests");
        }
        int per = data.length / batch;
        List<Long> s = new ArrayList<>(shape.length);
        s.add(1L);
        for (int d = 1; d < shape.length; d++) {
            s.add(shape[d]);
        }
        return new OutputTensor(name, datatype, s, Arrays.copyOfRange(data, i * per, (i + 1) * per));
    }
}
