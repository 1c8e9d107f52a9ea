package dev.sluice.common;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Serves Prometheus text on /metrics, liveness on /health and the live dashboard on / and
 * /dashboard, from a JDK HTTP server.
 *
 * <p>The dashboard is one self-contained page that polls /metrics. Two additions to /metrics
 * serve it and change nothing for Prometheus: every scrape carries the server's clock in the
 * header {@value #SCRAPE_TIME_HEADER} (epoch ms), so the page computes rates over the real time
 * between scrapes; and {@code /metrics?after=EPOCH_MS} answers no earlier than that instant
 * (waiting at most {@value #MAX_WAIT_MS} ms), so the server paces the page's polls in real time
 * even where the browser's timers are throttled or virtual (background tabs, headless runs).
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** Response header of /metrics: the server's clock at the scrape, epoch ms. */
    public static final String SCRAPE_TIME_HEADER = "Sluice-Scrape-Time-Ms";
    /** The longest /metrics?after= waits. */
    public static final long MAX_WAIT_MS = 5_000;
    private static final String DASHBOARD = "dashboard.html";

    private final HttpServer server;
    private final ExecutorService threads;

    private MetricsEndpoint(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Starts on {@code port} (0 picks a free one); /health answers "ok" or "unhealthy" by {@code healthy}. */
    public static MetricsEndpoint start(PrometheusMeterRegistry registry, int port, BooleanSupplier healthy) {
        return start(registry, port, new Health().add(() -> healthy.getAsBoolean() ? Health.Report.up("process")
                : new Health.Report("process", Health.Status.DOWN, null)));
    }

    /**
     * Starts on {@code port} (0 picks a free one); /health answers 200 while every component of
     * {@code health} is up and 503 otherwise, with one line per component either way.
     */
    public static MetricsEndpoint start(PrometheusMeterRegistry registry, int port, Health health) {
        byte[] dashboard = dashboardPage();
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
        s.createContext("/metrics", ex -> {
            long after = afterParameter(ex.getRequestURI().getRawQuery());
            long wait = Math.min(after - System.currentTimeMillis(), MAX_WAIT_MS);
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            long now = System.currentTimeMillis();
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set(SCRAPE_TIME_HEADER, Long.toString(now));
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", body);
        });
        s.createContext("/health", ex -> {
            String text = health.text();
            respond(ex, text.startsWith("ok") ? 200 : 503, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        });
        s.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/") || path.equals("/dashboard") || path.equals("/dashboard/")) {
                respond(ex, 200, "text/html; charset=utf-8", dashboard);
            } else {
                respond(ex, 404, "text/plain; charset=utf-8",
                        "not found; try /, /metrics or /health\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        // a few threads: a dashboard's paced poll must not hold up Prometheus or another dashboard
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "metrics-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(threads);
        s.start();
        return new MetricsEndpoint(s, threads);
    }

    /** The {@code after} query parameter of /metrics in epoch ms, or 0 when absent or malformed. */
    static long afterParameter(String rawQuery) {
        if (rawQuery == null) {
            return 0;
        }
        for (String kv : rawQuery.split("&")) {
            if (kv.startsWith("after=")) {
                try {
                    return Long.parseLong(kv.substring("after=".length()));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static void respond(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }

    private static byte[] dashboardPage() {
        try (InputStream in = MetricsEndpoint.class.getResourceAsStream(DASHBOARD)) {
            if (in == null) {
                throw new IllegalStateException(DASHBOARD + " missing from the classpath next to " + MetricsEndpoint.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
