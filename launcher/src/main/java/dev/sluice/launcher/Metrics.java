package dev.sluice.launcher;

import dev.sluice.common.Health;
import dev.sluice.common.MetricsEndpoint;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;

/** A Prometheus registry with JVM meters, served over HTTP with the live dashboard (see {@link MetricsEndpoint}). */
final class Metrics implements AutoCloseable {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private MetricsEndpoint endpoint;

    Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    Metrics serve(int port, BooleanSupplier healthy) {
        endpoint = MetricsEndpoint.start(registry, port, healthy);
        return this;
    }

    /** Serves /health from every component of {@code health}: 200 while all are up, each named either way. */
    Metrics serve(int port, Health health) {
        endpoint = MetricsEndpoint.start(registry, port, health);
        return this;
    }

    int port() {
        return endpoint == null ? -1 : endpoint.port();
    }

    /** A URL of the endpoint on this host: "/metrics", "/health", or "/" for the live dashboard. */
    String url(String path) {
        return "http://localhost:" + port() + path;
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        registry.close();
    }
}
