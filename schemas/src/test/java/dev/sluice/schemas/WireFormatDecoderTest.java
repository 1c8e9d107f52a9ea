package dev.sluice.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireFormatDecoderTest {
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final WireFormatDecoder<InferenceRequest> decoder = new WireFormatDecoder<>(serdes, InferenceRequest.getClassSchema());

    private byte[] valid() {
        InferenceRequest r = InferenceRequest.newBuilder().setId("r1").setTask("fashion-mnist").setCreatedAtMs(1)
                .setDeadlineMs(2).setInputs(List.of(Tensors.fp32("input", new long[] {1, 4}, new float[] {1, 2, 3, 4}))).build();
        return serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), r);
    }

    private String failure(byte[] bytes) {
        WireFormatDecoder.Decoded<InferenceRequest> d = decoder.decode(Topics.DEFAULT.requests(), bytes);
        assertNull(d.value());
        return d.failure();
    }

    @Test
    void aValidRecordDecodes() {
        WireFormatDecoder.Decoded<InferenceRequest> d = decoder.decode(Topics.DEFAULT.requests(), valid());
        assertTrue(d.ok(), d.failure());
        assertEquals("r1", d.value().getId());
    }

    @Test
    void wrongMagicByteIsNamed() {
        byte[] b = valid();
        b[0] = 1;
        assertTrue(failure(b).startsWith("first byte is 0x01, not the wire format's magic byte 0x00"), failure(b));
        assertTrue(failure("not avro at all".getBytes()).startsWith("first byte is 0x6e"));
    }

    @Test
    void tooShortAndEmpty() {
        assertEquals("empty record value", failure(new byte[0]));
        assertTrue(failure(new byte[] {0, 0, 1}).contains("too short"));
    }

    @Test
    void unknownSchemaIdIsNamedWithoutALookup() {
        byte[] b = valid();
        ByteBuffer.wrap(b).putInt(1, 42);
        assertTrue(failure(b).startsWith("unknown schema id 42: "), failure(b));
    }

    @Test
    void aRecordOfAnotherTypeIsNamed() {
        Plan p = Plan.newBuilder().setRequestId("x").setTask("t").setDecision(PlanDecision.SERVE).setPolicy("p")
                .setCreatedAtMs(1).setDeadlineMs(2).setReceivedAtMs(1).setPlannedAtMs(1).build();
        byte[] b = serdes.<Plan>serializer().serialize(Topics.DEFAULT.plans(), p);
        assertTrue(failure(b).contains("is dev.sluice.avro.Plan, not dev.sluice.avro.InferenceRequest"), failure(b));
    }

    @Test
    void truncationNamesTheFieldItEndsIn() {
        byte[] b = valid();
        for (int cut = WireFormatDecoder.HEADER_BYTES; cut < b.length; cut++) {
            String why = failure(Arrays.copyOf(b, cut));
            assertTrue(why.contains("truncated") || why.contains("bytes left"), cut + ": " + why);
            assertTrue(why.contains("field '"), cut + ": " + why);
        }
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] b = Arrays.copyOf(valid(), valid().length + 3);
        assertTrue(failure(b).startsWith("3 trailing bytes after the end of the InferenceRequest record"), failure(b));
    }

    @Test
    void hugeLengthsAreRefusedBeforeAnythingIsAllocated() {
        // id: string of length 2^30 (zigzag varint), then nothing
        byte[] b = valid();
        byte[] hostile = Arrays.copyOf(b, 10);
        hostile[5] = (byte) 0x80;
        hostile[6] = (byte) 0x80;
        hostile[7] = (byte) 0x80;
        hostile[8] = (byte) 0x80;
        hostile[9] = (byte) 0x08;
        String why = failure(hostile);
        assertTrue(why.startsWith("field 'id': length 1073741824 is more than the 0 bytes left"), why);
    }
}
