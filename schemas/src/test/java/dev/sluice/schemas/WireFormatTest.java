package dev.sluice.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    static InferenceRequest request() {
        float[] pixels = new float[784];
        pixels[3] = 0.5f;
        return InferenceRequest.newBuilder()
                .setId("req-1").setTask("fashion-mnist").setCreatedAtMs(1000L).setDeadlineMs(1200L)
                .setMinAccuracy(0.9).setTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, pixels)))
                .build();
    }

    @Test
    void bytesAreConfluentWireFormat() throws Exception {
        InferenceRequest req = request();
        byte[] bytes = SluiceSerdes.fingerprint().<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), req);

        assertEquals(0, bytes[0], "magic byte");
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertEquals(FingerprintRegistry.idOf(InferenceRequest.getClassSchema()), id, "4-byte big-endian schema id");

        // the rest is plain Avro binary of the record, readable without any Sluice or Apicurio code
        var reader = new SpecificDatumReader<InferenceRequest>(InferenceRequest.getClassSchema());
        InferenceRequest body = reader.read(null,
                DecoderFactory.get().binaryDecoder(Arrays.copyOfRange(bytes, 5, bytes.length), null));
        assertEquals(req, body);
    }

    @Test
    void aSeparateSerdeInstanceDecodesWithoutSharedState() {
        InferenceResult result = InferenceResult.newBuilder().setRequestId("r").setStatus(ResultStatus.OK)
                .setLabel(7).setLatency(StageLatency.newBuilder().setTotalMs(12.5).build())
                .setCreatedAtMs(1).setDeadlineMs(2).setCompletedAtMs(3).build();
        byte[] bytes = SluiceSerdes.fingerprint().<InferenceResult>serializer().serialize(Topics.DEFAULT.results(), result);
        // a fresh instance stands for another process: it knows ids only from the shipped schemas
        InferenceResult back = SluiceSerdes.fingerprint().<InferenceResult>deserializer().deserialize(Topics.DEFAULT.results(), bytes);
        assertEquals(result, back);
    }

    @Test
    void tensorBytesAreLittleEndianRowMajor() {
        var t = Tensors.fp32("x", new long[] {1, 2}, new float[] {1.0f, -2.5f});
        byte[] data = new byte[t.getData().remaining()];
        t.getData().duplicate().get(data);
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0x20, (byte) 0xc0}, data);
        assertArrayEquals(new float[] {1.0f, -2.5f}, Tensors.readFp32(t));
    }

    @Test
    void unknownSchemaIdFailsWithItsId() {
        byte[] bytes = SluiceSerdes.fingerprint().<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), request());
        ByteBuffer.wrap(bytes).putInt(1, 12345);
        Exception e = assertThrows(RuntimeException.class,
                () -> SluiceSerdes.fingerprint().deserializer().deserialize(Topics.DEFAULT.requests(), bytes));
        Throwable root = e;
        while (root.getCause() != null && !(root instanceof FingerprintRegistry.UnknownSchemaIdException)) {
            root = root.getCause();
        }
        assertTrue(root.getMessage().contains("12345"), root.getMessage());
    }

    @Test
    void registryModeIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> SluiceSerdes.of("localhost:8080"));
        assertEquals("http://r:8080/apis/registry/v3", SluiceSerdes.of("http://r:8080/apis/registry/v3").registry());
    }
}
