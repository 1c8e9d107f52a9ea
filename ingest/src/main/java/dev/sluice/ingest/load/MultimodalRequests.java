package dev.sluice.ingest.load;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Tensor;
import dev.sluice.models.SpokenFashionMnist;
import dev.sluice.schemas.Tensors;
import java.util.List;
import java.util.Map;

/**
 * Requests of task {@code fashion-mnist-spoken} built from spoken Fashion-MNIST samples. Pure:
 * the caller gives the id and the clock. Each tensor is named after its modality: {@code image}
 * [1, 1, 28, 28] and {@code audio} [1, 1, 40, 64], FP32. A request comes whole (both tensors,
 * {@code modalities: [image, audio]}), in two parts sharing its id ({@code part_index} 0 holds the
 * image, 1 the audio; both {@code part_count} 2 and the same header), or with one modality only.
 * The header fields are those {@link LoadRunner} sets, taken from {@link Options}.
 */
public final class MultimodalRequests {
    public static final String IMAGE = "image";
    public static final String AUDIO = "audio";

    /**
     * The header of every request built: deadline relative to the creation time, accuracy floor,
     * policy override (null: the selector's), whether only the final answer is wanted, priority,
     * tenant and request parameters.
     */
    public record Options(long deadlineMs, double minAccuracy, String policy, boolean finalOnly, int priority, String tenant,
            Map<String, String> parameters) {
        public Options {
            if (deadlineMs <= 0) {
                throw new IllegalArgumentException("deadline must be positive, got " + deadlineMs + " ms");
            }
            if (!(minAccuracy >= 0 && minAccuracy <= 1)) {
                throw new IllegalArgumentException("accuracy floor must be in [0,1], got " + minAccuracy);
            }
            tenant = tenant == null ? "default" : tenant;
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        }

        /** A 1 s deadline, no floor, the selector's policy, final answer only, priority 0, tenant default. */
        public static Options defaults() {
            return new Options(1000, 0.0, null, true, 0, "default", Map.of());
        }

        public Options withDeadlineMs(long ms) {
            return new Options(ms, minAccuracy, policy, finalOnly, priority, tenant, parameters);
        }

        public Options withMinAccuracy(double floor) {
            return new Options(deadlineMs, floor, policy, finalOnly, priority, tenant, parameters);
        }

        public Options withPolicy(String p) {
            return new Options(deadlineMs, minAccuracy, p, finalOnly, priority, tenant, parameters);
        }

        public Options withFinalOnly(boolean f) {
            return new Options(deadlineMs, minAccuracy, policy, f, priority, tenant, parameters);
        }

        public Options withPriority(int p) {
            return new Options(deadlineMs, minAccuracy, policy, finalOnly, p, tenant, parameters);
        }

        public Options withTenant(String t) {
            return new Options(deadlineMs, minAccuracy, policy, finalOnly, priority, t, parameters);
        }

        public Options withParameters(Map<String, String> p) {
            return new Options(deadlineMs, minAccuracy, policy, finalOnly, priority, tenant, p);
        }
    }

    private final Options options;

    public MultimodalRequests(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** The tensor of one sample's {@code modality} ({@code image} or {@code audio}), named after it. */
    public static Tensor tensor(String modality, float[] sample) {
        return switch (modality) {
            case IMAGE -> image(sample);
            case AUDIO -> audio(sample);
            default -> throw new IllegalArgumentException("no tensor layout for modality '" + modality + "'");
        };
    }

    /** The {@code image} tensor of one sample: 784 grey pixels in [0,1]. */
    public static Tensor image(float[] pixels) {
        return Tensors.fp32(IMAGE, new long[] {1, 1, 28, 28}, pixels);
    }

    /** The {@code audio} tensor of one sample: 2,560 log-mel features. */
    public static Tensor audio(float[] features) {
        return Tensors.fp32(AUDIO, new long[] {1, SpokenFashionMnist.AUDIO_SHAPE[0], SpokenFashionMnist.AUDIO_SHAPE[1],
                SpokenFashionMnist.AUDIO_SHAPE[2]}, features);
    }

    /** Sample {@code i} as one request with both modalities, {@code modalities: [image, audio]}. */
    public InferenceRequest whole(String id, SpokenFashionMnist data, int i, long nowMs) {
        return build(id, nowMs, List.of(IMAGE, AUDIO), List.of(image(data.image(i)), audio(data.audio(i))), 0, 1);
    }

    /**
     * Sample {@code i} as two parts of one request, same id and header: part 0 the image
     * ({@code modalities: [image]}), part 1 the audio ({@code modalities: [audio]}), both
     * {@code part_count} 2. In that order; the caller sends them in any order, at any time.
     */
    public List<InferenceRequest> parts(String id, SpokenFashionMnist data, int i, long nowMs) {
        return List.of(build(id, nowMs, List.of(IMAGE), List.of(image(data.image(i))), 0, 2),
                build(id, nowMs, List.of(AUDIO), List.of(audio(data.audio(i))), 1, 2));
    }

    /** Sample {@code i}'s image alone, {@code modalities: [image]}. */
    public InferenceRequest imageOnly(String id, SpokenFashionMnist data, int i, long nowMs) {
        return build(id, nowMs, List.of(IMAGE), List.of(image(data.image(i))), 0, 1);
    }

    /** Sample {@code i}'s audio alone, {@code modalities: [audio]}. */
    public InferenceRequest audioOnly(String id, SpokenFashionMnist data, int i, long nowMs) {
        return build(id, nowMs, List.of(AUDIO), List.of(audio(data.audio(i))), 0, 1);
    }

    /**
     * A request (or one part of one) of task {@code fashion-mnist-spoken} with these tensors and
     * modalities, created at {@code nowMs}, due {@code deadlineMs} later.
     */
    public InferenceRequest build(String id, long nowMs, List<String> modalities, List<Tensor> tensors, int partIndex,
            int partCount) {
        return InferenceRequest.newBuilder().setId(id).setTask(SpokenFashionMnist.TASK).setTenant(options.tenant())
                .setCreatedAtMs(nowMs).setDeadlineMs(nowMs + options.deadlineMs()).setPriority(options.priority())
                .setMinAccuracy(options.minAccuracy()).setPolicy(options.policy()).setFinalOnly(options.finalOnly())
                .setModalities(List.copyOf(modalities)).setPartIndex(partIndex).setPartCount(partCount)
                .setInputs(List.copyOf(tensors)).setParameters(options.parameters()).build();
    }
}
