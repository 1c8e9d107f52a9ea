package dev.sluice.bench.gateway;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.sluice.bench.overhead.Target;
import dev.sluice.gateway.oip.GRPCInferenceServiceGrpc;
import dev.sluice.gateway.oip.InferParameter;
import dev.sluice.gateway.oip.ModelInferRequest;
import dev.sluice.gateway.oip.ModelInferResponse;
import dev.sluice.models.FashionMnist;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's OIP gRPC service as a {@link Target}: Fashion-MNIST test images as
 * {@code ModelInfer} calls with {@code raw_input_contents} (as Triton's clients send them), built
 * once, over one HTTP/2 channel. An answer counts when it is served by the expected variant.
 */
public final class GrpcGatewayTarget implements Target, AutoCloseable {
    private final ManagedChannel channel;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub stub;
    private final ModelInferRequest[] requests;
    private final String expectedVariant;
    private final AtomicLong next = new AtomicLong();

    public GrpcGatewayTarget(String host, int port, FashionMnist data, int images, String policy, String expectedVariant,
            long timeoutMs) {
        this.channel = Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create()).build();
        this.stub = GRPCInferenceServiceGrpc.newFutureStub(channel);
        this.expectedVariant = expectedVariant;
        this.requests = new ModelInferRequest[Math.min(images, data.size())];
        for (int i = 0; i < requests.length; i++) {
            float[] pixels = data.images()[i];
            ByteBuffer raw = ByteBuffer.allocate(pixels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : pixels) {
                raw.putFloat(f);
            }
            requests[i] = ModelInferRequest.newBuilder().setModelName("fashion-mnist")
                    .putParameters("timeout_ms", InferParameter.newBuilder().setInt64Param(timeoutMs).build())
                    .putParameters("policy", InferParameter.newBuilder().setStringParam(policy).build())
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32")
                            .addAllShape(List.of(1L, 1L, 28L, 28L)))
                    .addRawInputContents(ByteString.copyFrom(raw.flip()))
                    .build();
        }
    }

    @Override
    public CompletableFuture<Reply> send() {
        ModelInferRequest req = requests[(int) (next.getAndIncrement() % requests.length)];
        CompletableFuture<Reply> out = new CompletableFuture<>();
        Futures.addCallback(stub.withDeadlineAfter(180, TimeUnit.SECONDS).modelInfer(req), new FutureCallback<>() {
            @Override
            public void onSuccess(ModelInferResponse r) {
                out.complete(reply(r));
            }

            @Override
            public void onFailure(Throwable t) {
                out.complete(Reply.failure(t.toString()));
            }
        }, MoreExecutors.directExecutor());
        return out;
    }

    private Reply reply(ModelInferResponse r) {
        String variants = r.getParametersOrDefault("variants", InferParameter.getDefaultInstance()).getStringParam();
        if (!variants.equals(expectedVariant)) {
            return Reply.failure("served by " + variants + ", not " + expectedVariant);
        }
        double compute = number(r, "latency_compute_ms");
        return Reply.success(compute, new Stages(number(r, "latency_ingest_ms"), number(r, "latency_select_ms"),
                number(r, "latency_queue_ms"), compute, number(r, "latency_aggregate_ms")));
    }

    private static double number(ModelInferResponse r, String name) {
        InferParameter p = r.getParametersOrDefault(name, InferParameter.getDefaultInstance());
        return p.hasDoubleParam() ? p.getDoubleParam() : p.getInt64Param();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
