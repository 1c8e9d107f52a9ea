package dev.sluice.gateway;

import dev.sluice.gateway.GatewayAnswer.Answered;
import dev.sluice.gateway.GatewayAnswer.Failed;
import dev.sluice.gateway.GatewayAnswer.Kind;
import dev.sluice.gateway.oip.GRPCInferenceServiceGrpc;
import dev.sluice.gateway.oip.ModelInferRequest;
import dev.sluice.gateway.oip.ModelInferResponse;
import dev.sluice.gateway.oip.ModelMetadataRequest;
import dev.sluice.gateway.oip.ModelMetadataResponse;
import dev.sluice.gateway.oip.ModelReadyRequest;
import dev.sluice.gateway.oip.ModelReadyResponse;
import dev.sluice.gateway.oip.ServerLiveRequest;
import dev.sluice.gateway.oip.ServerLiveResponse;
import dev.sluice.gateway.oip.ServerMetadataRequest;
import dev.sluice.gateway.oip.ServerMetadataResponse;
import dev.sluice.gateway.oip.ServerReadyRequest;
import dev.sluice.gateway.oip.ServerReadyResponse;
import dev.sluice.models.TensorSpec;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;

/**
 * The OIP (KServe v2) gRPC service, {@code inference.GRPCInferenceService}. Failures are gRPC
 * statuses with the reason as description: INVALID_ARGUMENT (bad request, INVALID), NOT_FOUND
 * (unknown model), RESOURCE_EXHAUSTED (gateway full, or REJECTED by admission), DEADLINE_EXCEEDED,
 * UNAVAILABLE, INTERNAL.
 */
final class OipGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    static final String PROTOCOL = "grpc";

    private final InferenceGateway gateway;
    private final String version;

    OipGrpcService(InferenceGateway gateway, String version) {
        this.gateway = gateway;
        this.version = version;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        out.onNext(ServerLiveResponse.newBuilder().setLive(gateway.live()).build());
        out.onCompleted();
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        out.onNext(ServerReadyResponse.newBuilder().setReady(gateway.ready()).build());
        out.onCompleted();
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        out.onNext(ServerMetadataResponse.newBuilder().setName("sluice").setVersion(version).build());
        out.onCompleted();
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        if (gateway.metadata(request.getName()).isEmpty()) {
            out.onError(unknownModel(request.getName()));
            return;
        }
        out.onNext(ModelReadyResponse.newBuilder().setReady(gateway.modelReady(request.getName())).build());
        out.onCompleted();
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        Optional<ModelMetadata> m = gateway.metadata(request.getName());
        if (m.isEmpty()) {
            out.onError(unknownModel(request.getName()));
            return;
        }
        ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(m.get().name())
                .setPlatform(m.get().platform());
        tensors(m.get().inputs()).forEach(b::addInputs);
        tensors(m.get().outputs()).forEach(b::addOutputs);
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        com.fasterxml.jackson.databind.node.ObjectNode body;
        try {
            body = ProtoRequests.toJson(request);
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        gateway.infer(request.getModelName(), body, PROTOCOL).whenComplete((answer, e) -> {
            if (e != null) {
                out.onError(Status.INTERNAL.withDescription("internal error: " + e).asRuntimeException());
            } else if (answer instanceof Answered a && a.failure() == null) {
                out.onNext(ProtoRequests.toProto(a.response()));
                out.onCompleted();
            } else if (answer instanceof Answered a) {
                out.onError(status(a.failure()).withDescription(a.response().error()).asRuntimeException());
            } else {
                Failed f = (Failed) answer;
                out.onError(status(f.kind()).withDescription(f.message()).asRuntimeException());
            }
        });
    }

    static Status status(Kind kind) {
        return switch (kind) {
            case INVALID -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case BUSY, REJECTED -> Status.RESOURCE_EXHAUSTED;
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case INTERNAL -> Status.INTERNAL;
        };
    }

    private io.grpc.StatusRuntimeException unknownModel(String name) {
        return Status.NOT_FOUND.withDescription("unknown model '" + name + "' (models: "
                + String.join(", ", gateway.models()) + ")").asRuntimeException();
    }

    private static List<ModelMetadataResponse.TensorMetadata> tensors(List<TensorSpec> specs) {
        return specs.stream().map(t -> ModelMetadataResponse.TensorMetadata.newBuilder().setName(t.name())
                .setDatatype(t.datatype()).addAllShape(t.shape()).build()).toList();
    }
}
