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

    /** Fails at once, before a stack boots, when a fixed port is taken. */
    void checkPortsFree() {
        portFree(httpPort, "--http-port");
        if (grpcPort > 0) {
            portFree(grpcPort, "--grpc-port");
        }
    }

    private static void portFree(int port, String option) {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket s = new java.net.ServerSocket(port)) {
            s.setReuseAddress(true);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("port " + port + " is in use (" + e.getMessage() + "); choose another with "
                    + option + ", or 0 for any free one");
        }
    }

    /** The typed configuration; throws IllegalArgumentException naming the value out of range. */
    GatewayConfig config() {
        GatewayConfig d = GatewayConfig.defaults();
        return new GatewayConfig(httpPort, grpcPort, maxInFlight, defaultTimeoutMs, d.resultGraceMs(), d.maxBodyBytes());
    }
}
