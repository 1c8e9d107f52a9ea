package dev.sluice.selector;

import dev.sluice.decision.policy.CatalogFixtures;
import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.catalog;
import static dev.sluice.decision.policy.CatalogFixtures.image;
import static dev.sluice.selector.RequestFixtures.input;
import static dev.sluice.selector.RequestFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Tensor;
import dev.sluice.schemas.Tensors;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
    private final RequestValidator validator = new RequestValidator(1 << 20);

    private Optional<String> validate(InferenceRequest r) {
        return validator.validate(r, catalog(), T0);
    }

    private String reason(InferenceRequest r) {
        Optional<String> reason = validate(r);
        assertTrue(reason.isPresent(), "expected INVALID");
        return reason.get();
    }

    private static InferenceRequest withInput(Tensor t) {
        return request("r1", 100).setInputs(List.of(t)).build();
    }

    @Test
    void validRequestPasses() {
        assertEquals(Optional.empty(), validate(request("r1", 100).build()));
        assertEquals(Optional.empty(), validate(request("r1", 1).setMinAccuracy(1.0).build()), "bounds inclusive");
    }

    @Test
    void emptyId() {
        assertTrue(reason(request(" ", 100).build()).contains("request id is empty"));
    }

    @Test
    void unknownTask() {
        String r = reason(request("r1", 100).setTask("speech").build());
        assertTrue(r.contains("unknown task 'speech'"), r);
        assertTrue(r.contains("fashion-mnist"), "names the known tasks: " + r);
    }

    @Test
    void deadlineAlreadyPast() {
        String r = reason(request("r1", -30).build());
        assertTrue(r.contains("deadline already past"), r);
        assertTrue(r.contains("30 ms before the selector read it"), r);
        assertTrue(r.contains("when the client sent the request"), r);
        assertTrue(r.contains("25 ms before its created_at_ms"), r);
    }

    @Test
    void deadlineBeforeTheRecordTimestampIsTheClientsFault() {
        // created 5 ms before T0 and due 10 ms after T0, but only written to Kafka 20 ms after T0
        InferenceRequest r = request("r1", 10).build();
        Optional<String> why = validator.validate(r, catalog(), T0 + 20, T0 + 25);
        assertTrue(why.orElseThrow().contains("10 ms before its record timestamp"), why.toString());
    }

    @Test
    void aRequestSentInTimeThatExpiredInTheBacklogIsNotInvalidButExpired() {
        InferenceRequest r = request("r1", 0).build(); // created T0-5, due T0, read at T0: late inside Sluice
        assertEquals(Optional.empty(), validator.validate(r, catalog(), T0 - 4, T0));
        String why = RequestValidator.expiredWhileQueued(r, T0 - 4, T0).orElseThrow();
        assertTrue(why.startsWith("deadline passed while queued in sluice.requests before the selector"), why);
        assertTrue(why.contains("read by the selector 4 ms after it was sent (0 ms late)"), why);
        assertEquals(Optional.empty(), RequestValidator.expiredWhileQueued(request("r1", 1).build(), T0 - 4, T0));
    }

    @Test
    void minAccuracyOutOfRange() {
        assertTrue(reason(request("r1", 100).setMinAccuracy(1.5).build()).contains("min_accuracy must be in [0,1]"));
        assertTrue(reason(request("r1", 100).setMinAccuracy(-0.1).build()).contains("min_accuracy must be in [0,1]"));
        assertTrue(reason(request("r1", 100).setMinAccuracy(Double.NaN).build()).contains("min_accuracy must be in [0,1]"));
    }

    @Test
    void wrongInputCount() {
        String none = reason(request("r1", 100).setInputs(List.of()).build());
        assertTrue(none.contains("modality 'image' has no input tensor named 'image' (tensors: [])"), none);
        String two = reason(request("r1", 100).setInputs(List.of(input(0.1f), input(0.2f))).build());
        assertTrue(two.contains("modality 'image' has no input tensor named 'image' (tensors: [input, input])"), two);
    }

    @Test
    void wrongDatatype() {
        Tensor t = input(0.5f);
        t.setDatatype("FP64");
        t.setData(ByteBuffer.allocate(784 * 8));
        String r = reason(withInput(t));
        assertTrue(r.contains("datatype FP64, expected FP32"), r);
    }

    @Test
    void wrongShape() {
        String flat = reason(withInput(Tensors.fp32("input", new long[] {1, 784}, image(0.5f))));
        assertTrue(flat.contains("has shape [1, 784], expected [1, 1, 28, 28]"), flat);
        String transposed = reason(withInput(Tensors.fp32("input", new long[] {1, 28, 1, 28}, image(0.5f))));
        assertTrue(transposed.contains("has shape [1, 28, 1, 28]"), transposed);
        String batchOfTwo = reason(withInput(Tensors.fp32("input", new long[] {2, 1, 28, 14}, image(0.5f))));
        assertTrue(batchOfTwo.contains("has shape [2, 1, 28, 14]"), batchOfTwo);
    }

    @Test
    void byteSizeMismatch() {
        Tensor t = input(0.5f);
        t.setData(ByteBuffer.allocate(784 * 4 - 4));
        String r = reason(withInput(t));
        assertTrue(r.contains("holds 3132 bytes"), r);
        assertTrue(r.contains("needs 3136"), r);
    }

    @Test
    void oversized() {
        RequestValidator small = new RequestValidator(1_000);
        Optional<String> r = small.validate(request("r1", 100).build(), catalog(), T0);
        assertTrue(r.isPresent());
        assertTrue(r.get().contains("oversized: 3136 bytes, limit 1000"), r.get());
    }

    @Test
    void nanAndInfinity() {
        float[] px = image(0.5f);
        px[17] = Float.NaN;
        String nan = reason(withInput(Tensors.fp32("input", new long[] {1, 1, 28, 28}, px)));
        assertTrue(nan.contains("NaN or Infinity at element 17"), nan);
        px = image(0.5f);
        px[783] = Float.NEGATIVE_INFINITY;
        String inf = reason(withInput(Tensors.fp32("input", new long[] {1, 1, 28, 28}, px)));
        assertTrue(inf.contains("NaN or Infinity at element 783"), inf);
    }

    @Test
    void upstreamInvalidParameterWins() {
        InferenceRequest r = request("r1", 100)
                .setParameters(Map.of(RequestValidator.INVALID_PARAMETER, "inputs[0].data: not a number"))
                .build();
        assertEquals(Optional.of("inputs[0].data: not a number"), validate(r));
    }

    private String multimodalReason(InferenceRequest r) {
        Optional<String> reason = validator.validate(r, CatalogFixtures.multimodalCatalog(), T0);
        assertTrue(reason.isPresent(), "expected INVALID");
        return reason.get();
    }

    @Test
    void eachModalityIsCheckedAgainstAVariantThatTakesIt() {
        InferenceRequest ok = RequestFixtures.spokenPart("a", 100, 1).build();
        assertEquals(Optional.empty(), validator.validate(ok, CatalogFixtures.multimodalCatalog(), T0));
        Tensor shortAudio = Tensors.fp32("audio", new long[] {1, 1, 40, 32}, new float[40 * 32]);
        String r = multimodalReason(RequestFixtures.spokenPart("a", 100, 1).setInputs(List.of(shortAudio)).build());
        assertTrue(r.contains("input 'audio' has shape [1, 1, 40, 32], expected [1, 1, 40, 64]"), r);
    }

    @Test
    void aModalityNoVariantTakesIsInvalid() {
        String r = multimodalReason(RequestFixtures.spokenPart("a", 100, 1).setModalities(List.of("video")).build());
        assertTrue(r.contains("task 'spoken' takes no modality 'video'; it takes [audio, image]"), r);
    }

    @Test
    void severalModalitiesNeedTensorsNamedAfterThem() {
        InferenceRequest r = RequestFixtures.spokenPart("a", 100, 0).setModalities(List.of("image", "audio"))
                .setInputs(List.of(RequestFixtures.input(0.5f), RequestFixtures.audio(0.1f))).build();
        String reason = multimodalReason(r);
        assertTrue(reason.contains("modality 'image' has no input tensor named 'image' (tensors: [input, audio])"), reason);
    }

    @Test
    void partCountIsBounded() {
        String r = reason(request("r1", 100).setPartCount(RequestValidator.MAX_PARTS + 1).build());
        assertTrue(r.contains("part_count must be in [1,16]"), r);
    }
}
