package dev.sluice.launcher;

import dev.sluice.gateway.GatewayConfig;
import picocli.CommandLine.Option;

/** The OIP gateway's options, shared by {@code gateway} and {@code up --serve}. */
final class GatewayOptions {
    @Option(names = "--http-port", defaultValue = "8000",
            description = "OIP (KServe v2) REST port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--grpc-port", defaultValue = "8001",
            description = "OIP (KServe v2) gRPC port, 0 for any free one, -1 for none (default: ${DEFAULT-VALUE})")
    int grpcPort;

    @Option(names = "--max-in-flight", defaultValue = "256",
            description = "inference calls admitted at once; more get 429 / RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE})")
    int maxInFlight;

    @Option(names = "--default-timeout-ms", defaultValue = "1000",
            description = "deadline of a call whose parameters name neither timeout_ms nor deadline_ms (default: ${DEFAULT-VALUE})")
    long defaultTimeoutMs;

    /** The ranges of these options (see {@link OptionChecks}). */
    void check(OptionChecks c) {
        c.port("--http-port", httpPort, false).port("--grpc-port", grpcPort, true)
                .atLeast("--max-in-flight", maxInFlight, 1).atLeast("--default-timeout-ms", defaultTimeoutMs, 1);
    }

    /** The typed configuration; throws IllegalArgumentException naming the value out of range. */
    GatewayConfig config() {
        GatewayConfig d = GatewayConfig.defaults();
        return new GatewayConfig(httpPort, grpcPort, maxInFlight, defaultTimeoutMs, d.resultGraceMs(), d.maxBodyBytes());
    }
}
