package dev.sluice.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.sluice.gateway.oip.InferParameter;
import dev.sluice.gateway.oip.InferTensorContents;
import dev.sluice.gateway.oip.ModelInferRequest;
import dev.sluice.gateway.oip.ModelInferRequest.InferInputTensor;
import dev.sluice.gateway.oip.ModelInferResponse;
import dev.sluice.ingest.json.OipInferResponse;
import dev.sluice.ingest.json.TensorDataDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Converts between the OIP protobuf messages and the OIP REST JSON shape the gateway parses and
 * renders, so that both protocols share one parser ({@code OipInferRequestParser}) and one
 * response ({@link OipInferResponse}). Tensor data comes from the typed {@code contents} or from
 * {@code raw_input_contents} (little-endian, as Triton's clients send by default); a datatype
 * Sluice does not take is passed on with no data, for the parser to refuse by name.
 */
final class ProtoRequests {
    private ProtoRequests() {}

    /** The REST JSON body of a gRPC request; raw contents must be one per input when given. */
    static ObjectNode toJson(ModelInferRequest r) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode body = f.objectNode();
        if (!r.getId().isEmpty()) {
            body.put("id", r.getId());
        }
        if (r.getParametersCount() > 0) {
            body.set("parameters", parameters(r.getParametersMap()));
        }
        boolean raw = r.getRawInputContentsCount() > 0;
        if (raw && r.getRawInputContentsCount() != r.getInputsCount()) {
            throw new IllegalArgumentException("raw_input_contents has " + r.getRawInputContentsCount()
                    + " entries for " + r.getInputsCount() + " inputs");
        }
        ArrayNode inputs = body.putArray("inputs");
        for (int i = 0; i < r.getInputsCount(); i++) {
            InferInputTensor in = r.getInputs(i);
            ObjectNode t = inputs.addObject().put("name", in.getName()).put("datatype", in.getDatatype());
            ArrayNode shape = t.putArray("shape");
            in.getShapeList().forEach(shape::add);
            if (in.getParametersCount() > 0) {
                t.set("parameters", parameters(in.getParametersMap()));
            }
            ArrayNode data = t.putArray("data");
            if (raw) {
                raw(in.getName(), in.getDatatype(), r.getRawInputContents(i), data);
            } else {
                contents(in.getDatatype(), in.getContents(), data);
            }
        }
        if (r.getOutputsCount() > 0) {
            ArrayNode outputs = body.putArray("outputs");
            r.getOutputsList().forEach(o -> outputs.addObject().put("name", o.getName()));
        }
        return body;
    }

    private static ObjectNode parameters(Map<String, InferParameter> params) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        params.forEach((k, p) -> {
            switch (p.getParameterChoiceCase()) {
                case BOOL_PARAM -> n.put(k, p.getBoolParam());
                case INT64_PARAM -> n.put(k, p.getInt64Param());
                case STRING_PARAM -> n.put(k, p.getStringParam());
                case DOUBLE_PARAM -> n.put(k, p.getDoubleParam());
                case UINT64_PARAM -> n.put(k, new java.math.BigInteger(Long.toUnsignedString(p.getUint64Param())));
                case PARAMETERCHOICE_NOT_SET -> n.putNull(k);
            }
        });
        return n;
    }

    private static void contents(String datatype, InferTensorContents c, ArrayNode data) {
        switch (datatype) {
            case "FP32" -> c.getFp32ContentsList().forEach(data::add);
            case "FP64" -> c.getFp64ContentsList().forEach(data::add);
            case "INT8", "INT16", "INT32" -> c.getIntContentsList().forEach(data::add);
            case "INT64" -> c.getInt64ContentsList().forEach(data::add);
            case "UINT8", "UINT16", "UINT32" -> c.getUintContentsList().forEach(v -> data.add(Integer.toUnsignedLong(v)));
            case "UINT64" -> c.getUint64ContentsList().forEach(v -> data.add(new java.math.BigInteger(Long.toUnsignedString(v))));
            case "BOOL" -> c.getBoolContentsList().forEach(data::add);
            default -> { } // BYTES, FP16, BF16, unknown: refused by name when parsed
        }
    }

    private static void raw(String name, String datatype, ByteString bytes, ArrayNode data) {
        if (TensorDataDecoder.elementBytes(datatype) == 0) {
            return; // refused by name when parsed
        }
        if (bytes.size() % TensorDataDecoder.elementBytes(datatype) != 0) {
            throw new IllegalArgumentException("input '" + name + "': raw contents of " + bytes.size()
                    + " bytes are not a whole number of " + datatype + " elements");
        }
        TensorDataDecoder.values(name, datatype, bytes.asReadOnlyByteBuffer()).forEach(v -> OipInferResponse.add(data, v));
    }

    /** The protobuf response; outputs in typed {@code contents}. */
    static ModelInferResponse toProto(OipInferResponse r) {
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(r.modelName());
        if (r.id() != null) {
            b.setId(r.id());
        }
        r.parameters().forEach((k, v) -> b.putParameters(k, parameter(v)));
        for (OipInferResponse.Output o : r.outputs()) {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (Object v : o.data()) {
                switch (o.datatype()) {
                    case "FP32" -> c.addFp32Contents(((Number) v).floatValue());
                    case "FP64" -> c.addFp64Contents(((Number) v).doubleValue());
                    case "INT8", "INT16", "INT32" -> c.addIntContents(((Number) v).intValue());
                    case "INT64" -> c.addInt64Contents(((Number) v).longValue());
                    case "UINT8", "UINT16", "UINT32" -> c.addUintContents(((Number) v).intValue());
                    case "UINT64" -> c.addUint64Contents(((Number) v).longValue());
                    case "BOOL" -> c.addBoolContents((Boolean) v);
                    default -> throw new IllegalStateException("no protobuf contents for " + o.datatype());
                }
            }
            b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(o.name()).setDatatype(o.datatype())
                    .addAllShape(o.shape()).setContents(c));
        }
        return b.build();
    }

    static InferParameter parameter(Object v) {
        InferParameter.Builder p = InferParameter.newBuilder();
        if (v instanceof Boolean x) {
            p.setBoolParam(x);
        } else if (v instanceof Long x) {
            p.setInt64Param(x);
        } else if (v instanceof Double x) {
            p.setDoubleParam(x);
        } else {
            p.setStringParam(String.valueOf(v));
        }
        return p.build();
    }
}
