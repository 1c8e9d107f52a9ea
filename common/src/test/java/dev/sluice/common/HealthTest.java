package dev.sluice.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void streamsStatesMapToUpStartingAndDown() {
        assertEquals(Health.Status.UP, Health.ofStreams("a", KafkaStreams.State.RUNNING).status());
        assertEquals(Health.Status.UP, Health.ofStreams("a", KafkaStreams.State.REBALANCING).status());
        assertEquals(Health.Status.STARTING, Health.ofStreams("a", KafkaStreams.State.CREATED).status());
        for (KafkaStreams.State s : List.of(KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR,
                KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING)) {
            assertEquals(Health.Status.DOWN, Health.ofStreams("a", s).status(), s.name());
        }
    }

    @Test
    void oneDeadComponentMakesTheProcessUnhealthyAndIsNamed() throws Exception {
        AtomicReference<KafkaStreams.State> bridge = new AtomicReference<>(KafkaStreams.State.RUNNING);
        Health health = new Health().streams("selector", () -> KafkaStreams.State.RUNNING)
                .streams("bridge", bridge::get);
        assertTrue(health.up());
        assertEquals(List.of(), health.down());

        bridge.set(KafkaStreams.State.ERROR);
        assertFalse(health.up());
        assertEquals(List.of("bridge"), health.down().stream().map(Health.Report::component).toList());
        assertTrue(health.text().startsWith("unhealthy\n"), health.text());
        assertTrue(health.text().contains("bridge: DOWN (Kafka Streams client failed (ERROR)"), health.text());
        assertTrue(health.text().contains("selector: UP"), health.text());

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        {
            MetricsEndpoint endpoint = MetricsEndpoint.start(registry, 0, health);
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + endpoint.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode());
                assertTrue(r.body().contains("bridge: DOWN"), r.body());
                bridge.set(KafkaStreams.State.RUNNING);
                r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + endpoint.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertTrue(r.body().startsWith("ok\n"), r.body());
            } finally {
                endpoint.close();
                registry.close();
            }
        }
    }

    @Test
    void aStartingComponentIsNotUpButNotDown() {
        Health health = new Health().streams("aggregator", () -> KafkaStreams.State.CREATED);
        assertFalse(health.up());
        assertEquals(List.of(), health.down());
    }

    @Test
    void threadsAreReplacedAFewTimesThenTheClientIsShutDown() {
        AtomicLong now = new AtomicLong(0);
        StreamsThreadPolicy policy = new StreamsThreadPolicy("test", 3, Duration.ofMinutes(5), now::get);
        RuntimeException boom = new RuntimeException("boom");
        for (int i = 0; i < 3; i++) {
            assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(boom));
            now.addAndGet(1000);
        }
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.handle(boom));
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        AtomicLong now = new AtomicLong(0);
        StreamsThreadPolicy policy = new StreamsThreadPolicy("test", 2, Duration.ofSeconds(60), now::get);
        RuntimeException boom = new RuntimeException("boom");
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(boom));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(boom));
        now.set(60_000);
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(boom), "the first two are a minute old");
    }
}
