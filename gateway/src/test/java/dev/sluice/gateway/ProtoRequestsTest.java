package dev.sluice.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.sluice.avro.ResultStatus;
import dev.sluice.gateway.oip.InferParameter;
import dev.sluice.gateway.oip.InferTensorContents;
import dev.sluice.gateway.oip.ModelInferRequest;
import dev.sluice.gateway.oip.ModelInferRequest.InferInputTensor;
import dev.sluice.gateway.oip.ModelInferResponse;
import dev.sluice.ingest.json.OipInferResponse;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtoRequestsTest {
    private static InferInputTensor.Builder input(String datatype) {
        return InferInputTensor.newBuilder().setName("input").setDatatype(datatype).addAllShape(List.of(1L, 3L));
    }

    @Test
    void typedContentsAndParametersBecomeTheRestBody() {
        ModelInferRequest r = ModelInferRequest.newBuilder().setModelName("m").setId("c1")
                .putParameters("timeout_ms", InferParameter.newBuilder().setInt64Param(250).build())
                .putParameters("min_accuracy", InferParameter.newBuilder().setDoubleParam(0.9).build())
                .putParameters("tenant", InferParameter.newBuilder().setStringParam("t").build())
                .putParameters("flag", InferParameter.newBuilder().setBoolParam(true).build())
                .addInputs(input("FP32").setContents(InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 2f, 3f))))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("label"))
                .build();
        ObjectNode body = ProtoRequests.toJson(r);
        assertEquals("c1", body.get("id").asText());
        assertEquals(250, body.get("parameters").get("timeout_ms").asLong());
        assertEquals(0.9, body.get("parameters").get("min_accuracy").asDouble());
        assertEquals("t", body.get("parameters").get("tenant").asText());
        assertTrue(body.get("parameters").get("flag").asBoolean());
        assertEquals("[1,3]", body.get("inputs").get(0).get("shape").toString());
        assertEquals("[1.0,2.0,3.0]", body.get("inputs").get(0).get("data").toString());
        assertEquals("label", body.get("outputs").get(0).get("name").asText());
    }

    @Test
    void rawContentsAreLittleEndian() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-1f).putFloat(2f);
        ModelInferRequest r = ModelInferRequest.newBuilder().setModelName("m").addInputs(input("FP32"))
                .addRawInputContents(ByteString.copyFrom(b.flip())).build();
        assertEquals("[0.5,-1.0,2.0]", ProtoRequests.toJson(r).get("inputs").get(0).get("data").toString());

        ByteBuffer ints = ByteBuffer.allocate(3).put((byte) 200).put((byte) 1).put((byte) 0);
        ModelInferRequest u8 = ModelInferRequest.newBuilder().setModelName("m").addInputs(input("UINT8"))
                .addRawInputContents(ByteString.copyFrom(ints.flip())).build();
        assertEquals("[200,1,0]", ProtoRequests.toJson(u8).get("inputs").get(0).get("data").toString());
    }

    @Test
    void rawContentsMustMatchTheInputsAndTheirElementSize() {
        ModelInferRequest twoInputsOneRaw = ModelInferRequest.newBuilder().setModelName("m").addInputs(input("FP32"))
                .addInputs(input("FP32")).addRawInputContents(ByteString.copyFrom(new byte[12])).build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProtoRequests.toJson(twoInputsOneRaw)).getMessage()
                .contains("raw_input_contents has 1 entries for 2 inputs"));
        ModelInferRequest ragged = ModelInferRequest.newBuilder().setModelName("m").addInputs(input("FP32"))
                .addRawInputContents(ByteString.copyFrom(new byte[10])).build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProtoRequests.toJson(ragged)).getMessage()
                .contains("not a whole number of FP32 elements"));
    }

    @Test
    void aDatatypeSluiceDoesNotTakeIsPassedOnForTheParserToRefuseByName() {
        ModelInferRequest fp16 = ModelInferRequest.newBuilder().setModelName("m").addInputs(input("FP16"))
                .addRawInputContents(ByteString.copyFrom(new byte[6])).build();
        ObjectNode body = ProtoRequests.toJson(fp16);
        assertEquals("FP16", body.get("inputs").get(0).get("datatype").asText());
        assertEquals(0, body.get("inputs").get(0).get("data").size());
    }

    @Test
    void theResponseHasTypedContentsAndScalarParameters() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("status", "OK");
        params.put("revision", 0L);
        params.put("final", true);
        params.put("latency_total_ms", 12.5);
        OipInferResponse r = new OipInferResponse("m", "c1", ResultStatus.OK, null, params, List.of(
                new OipInferResponse.Output("label", "INT64", List.of(1L), List.of(7L)),
                new OipInferResponse.Output("probabilities", "FP32", List.of(1L, 2L), List.of(0.25f, 0.75f))));
        ModelInferResponse p = ProtoRequests.toProto(r);
        assertEquals("m", p.getModelName());
        assertEquals("c1", p.getId());
        assertEquals(7L, p.getOutputs(0).getContents().getInt64Contents(0));
        assertEquals(List.of(0.25f, 0.75f), p.getOutputs(1).getContents().getFp32ContentsList());
        assertEquals(List.of(1L, 2L), p.getOutputs(1).getShapeList());
        assertEquals("OK", p.getParametersOrThrow("status").getStringParam());
        assertEquals(0L, p.getParametersOrThrow("revision").getInt64Param());
        assertTrue(p.getParametersOrThrow("final").getBoolParam());
        assertEquals(12.5, p.getParametersOrThrow("latency_total_ms").getDoubleParam());
        assertFalse(ProtoRequests.toProto(new OipInferResponse("m", null, ResultStatus.OK, null, Map.of(), List.of()))
                .getId().length() > 0);
    }

    @Test
    void failuresMapToTheStatusesAKServeClientExpects() {
        assertEquals(400, GatewayAnswer.Kind.INVALID.httpStatus());
        assertEquals(429, GatewayAnswer.Kind.BUSY.httpStatus());
        assertEquals(503, GatewayAnswer.Kind.REJECTED.httpStatus());
        assertEquals(504, GatewayAnswer.Kind.DEADLINE_EXCEEDED.httpStatus());
        assertEquals(Status.Code.INVALID_ARGUMENT, OipGrpcService.status(GatewayAnswer.Kind.INVALID).getCode());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, OipGrpcService.status(GatewayAnswer.Kind.BUSY).getCode());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, OipGrpcService.status(GatewayAnswer.Kind.REJECTED).getCode());
        assertEquals(Status.Code.DEADLINE_EXCEEDED, OipGrpcService.status(GatewayAnswer.Kind.DEADLINE_EXCEEDED).getCode());
        assertEquals(Status.Code.NOT_FOUND, OipGrpcService.status(GatewayAnswer.Kind.NOT_FOUND).getCode());
        for (ResultStatus s : ResultStatus.values()) {
            OipInferResponse answered = new OipInferResponse("m", null, s, s == ResultStatus.OK || s == ResultStatus.PARTIAL
                    ? null : s + ": why", Map.of(), List.of());
            GatewayAnswer.Kind k = InferenceGateway.failureOf(answered);
            switch (s) {
                case OK, PARTIAL -> assertEquals(null, k);
                case INVALID -> assertEquals(GatewayAnswer.Kind.INVALID, k);
                case REJECTED -> assertEquals(GatewayAnswer.Kind.REJECTED, k);
                case DEADLINE_EXCEEDED -> assertEquals(GatewayAnswer.Kind.DEADLINE_EXCEEDED, k);
            }
        }
    }

    @Test
    void theConfigRefusesValuesOutOfRange() {
        GatewayConfig d = GatewayConfig.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withPorts(70_000, 0));
        assertThrows(IllegalArgumentException.class, () -> d.withPorts(0, -2));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> d.withDefaultTimeoutMs(0));
        assertEquals(-1, d.withPorts(0, -1).grpcPort());
    }
}
