package dev.sluice.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private PrometheusMeterRegistry registry;
    private MetricsEndpoint endpoint;
    private boolean healthy = true;

    @BeforeEach
    void start() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("sluice.test.things").tag("kind", "a").register(registry).increment(3);
        endpoint = MetricsEndpoint.start(registry, 0, () -> healthy);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        registry.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + endpoint.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreServedWithTheScrapeTime() throws Exception {
        long before = System.currentTimeMillis();
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        assertTrue(r.body().contains("sluice_test_things_total{kind=\"a\"} 3.0"), r.body());
        long at = Long.parseLong(r.headers().firstValue(MetricsEndpoint.SCRAPE_TIME_HEADER).orElseThrow());
        assertTrue(at >= before && at <= System.currentTimeMillis(), "scrape time " + at);
    }

    @Test
    void afterPacesTheScrapeInRealTime() throws Exception {
        long after = System.currentTimeMillis() + 400;
        HttpResponse<String> r = get("/metrics?after=" + after);
        long at = Long.parseLong(r.headers().firstValue(MetricsEndpoint.SCRAPE_TIME_HEADER).orElseThrow());
        assertTrue(at >= after, "answered at " + at + ", asked for no earlier than " + after);

        // a time far ahead waits at most MAX_WAIT_MS; a time in the past does not wait
        long start = System.nanoTime();
        get("/metrics?after=" + (System.currentTimeMillis() - 60_000));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 300, "a past 'after' should answer at once");
        assertEquals(0, MetricsEndpoint.afterParameter("after=soon"));
        assertEquals(0, MetricsEndpoint.afterParameter(null));
        assertEquals(12, MetricsEndpoint.afterParameter("x=1&after=12"));
    }

    @Test
    void dashboardIsServedAtRootAndDashboardAndIsSelfContained() throws Exception {
        HttpResponse<String> root = get("/");
        HttpResponse<String> dash = get("/dashboard");
        assertEquals(200, root.statusCode());
        assertEquals(200, dash.statusCode());
        assertEquals(root.body(), dash.body());
        assertTrue(root.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        String page = root.body();
        assertTrue(page.contains("<title>Sluice live dashboard</title>"));
        // nothing loaded from elsewhere: no external scripts, styles, fonts or absolute URLs to fetch
        Matcher external = Pattern.compile("(?i)(src|href)\\s*=\\s*\"(https?:)?//|@import|url\\(\\s*['\"]?https?:").matcher(page);
        if (external.find()) {
            fail("external reference: " + page.substring(external.start(), Math.min(page.length(), external.start() + 80)));
        }
        // polls the same origin's /metrics, relative, so it works behind a path prefix too
        assertTrue(page.contains("fetch(last ? \"metrics?after=\""), "the page polls metrics relative to itself");
        assertEquals(404, get("/nope").statusCode());
    }

    @Test
    void healthFollowsTheSupplier() throws Exception {
        assertEquals(200, get("/health").statusCode());
        healthy = false;
        assertEquals(503, get("/health").statusCode());
    }
}
