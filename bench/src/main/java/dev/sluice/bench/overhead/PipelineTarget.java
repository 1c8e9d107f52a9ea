package dev.sluice.bench.overhead;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.Tensors;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Sluice pipeline as a {@link Target}: Fashion-MNIST test images as requests under one
 * policy, with a deadline long enough that nothing is dropped. An answer counts only when it is
 * OK and served by the expected variant, so a policy that does not pin the variant shows up as
 * failures rather than as a silently different measurement.
 */
public final class PipelineTarget implements Target {
    private final SluiceClient client;
    private final FashionMnist data;
    private final String policy;
    private final String expectedVariant;
    private final long deadlineMs;
    private final String idPrefix;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong wrongVariant = new AtomicLong();

    public PipelineTarget(SluiceClient client, FashionMnist data, String policy, String expectedVariant, long deadlineMs,
            String idPrefix) {
        this.client = client;
        this.data = data;
        this.policy = policy;
        this.expectedVariant = expectedVariant;
        this.deadlineMs = deadlineMs;
        this.idPrefix = idPrefix;
    }

    @Override
    public CompletableFuture<Reply> send() {
        long i = next.getAndIncrement();
        int image = (int) (i % data.size());
        long now = System.currentTimeMillis();
        InferenceRequest req = InferenceRequest.newBuilder().setId(idPrefix + i).setTask("fashion-mnist")
                .setCreatedAtMs(now).setDeadlineMs(now + deadlineMs).setPolicy(policy)
                .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, data.images()[image]))).build();
        return client.submit(req).handle((r, e) -> e != null ? Reply.failure(e.toString()) : reply(r));
    }

    private Reply reply(InferenceResult r) {
        if (r.getStatus() != ResultStatus.OK) {
            return Reply.failure(r.getStatus() + ": " + r.getReason());
        }
        if (!r.getVariants().equals(List.of(expectedVariant))) {
            wrongVariant.incrementAndGet();
            return Reply.failure("served by " + r.getVariants() + ", not " + expectedVariant);
        }
        StageLatency l = r.getLatency();
        return Reply.success(l.getComputeMs(), new Stages(l.getIngestMs(), l.getSelectMs(), l.getQueueMs(), l.getComputeMs(),
                l.getAggregateMs()));
    }

    /** Answers served by another variant than the expected one. */
    public long wrongVariant() {
        return wrongVariant.get();
    }
}
