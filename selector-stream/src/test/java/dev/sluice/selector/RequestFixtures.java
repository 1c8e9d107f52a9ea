package dev.sluice.selector;

import static dev.sluice.decision.policy.CatalogFixtures.SPOKEN;
import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.TASK;
import static dev.sluice.decision.policy.CatalogFixtures.image;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Tensor;
import dev.sluice.schemas.Tensors;
import java.util.List;

/** Avro requests and tensors for the tasks of {@link dev.sluice.decision.policy.CatalogFixtures}. */
public final class RequestFixtures {
    private RequestFixtures() {}

    public static Tensor input(float value) {
        return Tensors.fp32("input", new long[] {1, 1, 28, 28}, image(value));
    }

    public static Tensor audio(float value) {
        float[] f = new float[40 * 64];
        for (int i = 0; i < f.length; i++) {
            f[i] = value * (i % 5);
        }
        return Tensors.fp32("audio", new long[] {1, 1, 40, 64}, f);
    }

    /** Part {@code index} of 2 of a spoken request: 0 carries the image, 1 the audio. */
    public static InferenceRequest.Builder spokenPart(String id, long deadlineAfterT0, int index) {
        return request(id, deadlineAfterT0).setTask(SPOKEN).setPartIndex(index).setPartCount(2)
                .setModalities(List.of(index == 0 ? "image" : "audio"))
                .setInputs(List.of(index == 0 ? input(0.5f) : audio(0.25f)));
    }

    /** A valid request: created 5 ms before T0, due {@code deadlineAfterT0} ms after. */
    public static InferenceRequest.Builder request(String id, long deadlineAfterT0) {
        return InferenceRequest.newBuilder()
                .setId(id)
                .setTask(TASK)
                .setCreatedAtMs(T0 - 5)
                .setDeadlineMs(T0 + deadlineAfterT0)
                .setInputs(List.of(input(0.5f)));
    }
}
