package dev.sluice.gateway;

/**
 * How the gateway serves. Validated on construction.
 *
 * @param httpPort OIP REST port, 0 for any free one
 * @param grpcPort OIP gRPC port, 0 for any free one, -1 for no gRPC server
 * @param maxInFlight requests admitted at once, over both protocols; more are refused (429 /
 *     RESOURCE_EXHAUSTED) rather than queued, so a client sees backpressure at once
 * @param defaultTimeoutMs the deadline of a request that names neither {@code timeout_ms} nor {@code deadline_ms}
 * @param resultGraceMs how long after a request's deadline the gateway still waits for its result
 *     (the pipeline answers late requests DEADLINE_EXCEEDED itself; this covers a pipeline that is down)
 * @param maxBodyBytes largest HTTP body or gRPC message accepted
 */
public record GatewayConfig(int httpPort, int grpcPort, int maxInFlight, long defaultTimeoutMs, long resultGraceMs,
        int maxBodyBytes) {
    public GatewayConfig {
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("HTTP port must be in [0, 65535], got " + httpPort);
        }
        if (grpcPort < -1 || grpcPort > 65535) {
            throw new IllegalArgumentException("gRPC port must be in [0, 65535] (or -1 for none), got " + grpcPort);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in-flight requests must be >= 1, got " + maxInFlight);
        }
        if (defaultTimeoutMs < 1) {
            throw new IllegalArgumentException("default timeout must be >= 1 ms, got " + defaultTimeoutMs);
        }
        if (resultGraceMs < 0) {
            throw new IllegalArgumentException("result grace must be >= 0 ms, got " + resultGraceMs);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("max body must be >= 1024 bytes, got " + maxBodyBytes);
        }
    }

    /** Ports 8000 (HTTP) and 8001 (gRPC), as KServe and Triton use; 256 in flight; 1 s default timeout. */
    public static GatewayConfig defaults() {
        return new GatewayConfig(8000, 8001, 256, 1_000, 5_000, 16 << 20);
    }

    public GatewayConfig withPorts(int http, int grpc) {
        return new GatewayConfig(http, grpc, maxInFlight, defaultTimeoutMs, resultGraceMs, maxBodyBytes);
    }

    public GatewayConfig withMaxInFlight(int n) {
        return new GatewayConfig(httpPort, grpcPort, n, defaultTimeoutMs, resultGraceMs, maxBodyBytes);
    }

    public GatewayConfig withDefaultTimeoutMs(long ms) {
        return new GatewayConfig(httpPort, grpcPort, maxInFlight, ms, resultGraceMs, maxBodyBytes);
    }
}
