package dev.sluice.common;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** Serves Prometheus text on /metrics and liveness on /health from a JDK HTTP server. */
public final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts on {@code port} (0 picks a free one). */
    public static MetricsEndpoint start(PrometheusMeterRegistry registry, int port, BooleanSupplier healthy) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(port), 0);
            s.createContext("/metrics", ex -> {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            });
            s.createContext("/health", ex -> {
                boolean ok = healthy.getAsBoolean();
                byte[] body = (ok ? "ok\n" : "unhealthy\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(ok ? 200 : 503, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            });
            s.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "metrics-http");
                t.setDaemon(true);
                return t;
            }));
            s.start();
            return new MetricsEndpoint(s);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
