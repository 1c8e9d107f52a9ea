package dev.sluice.gateway;

import dev.sluice.common.KafkaSettings;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.schemas.SluiceSerdes;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OIP (KServe v2) gateway: an HTTP server (Jetty) and a gRPC server (grpc-java) in front of
 * one {@link InferenceGateway}, which produces requests to Kafka and awaits their results through
 * one {@link SluiceClient}. Closing stops admitting calls, lets the ones in flight finish (up to a
 * few seconds), then stops the servers and the client.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
    static final String VERSION = "0.1.0";

    private final SluiceClient client;
    private final InferenceGateway gateway;
    private final org.eclipse.jetty.server.Server http;
    private final Server grpc;
    private final String host;

    private GatewayServer(SluiceClient client, InferenceGateway gateway, org.eclipse.jetty.server.Server http, Server grpc,
            String host) {
        this.client = client;
        this.gateway = gateway;
        this.http = http;
        this.grpc = grpc;
        this.host = host;
    }

    /** Connects to Kafka and starts both servers; fails with a message naming the port that could not be bound. */
    public static GatewayServer start(KafkaSettings kafka, SluiceSerdes serdes, Catalog catalog, GatewayConfig config,
            MeterRegistry registry) {
        SluiceClient client = SluiceClient.connect(kafka, serdes, "gateway");
        InferenceGateway gateway = new InferenceGateway(client, catalog, config, registry, InstantSource.system());
        org.eclipse.jetty.server.Server http = null;
        Server grpc = null;
        try {
            QueuedThreadPool threads = new QueuedThreadPool(32, 4);
            threads.setName("gw-http"); // short: /proc shows 15 characters of a thread name
            http = new org.eclipse.jetty.server.Server(threads);
            ServerConnector connector = new ServerConnector(http);
            connector.setPort(config.httpPort());
            http.addConnector(connector);
            http.setHandler(new OipHttpHandler(gateway, VERSION));
            try {
                http.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot serve HTTP on port " + config.httpPort() + ": " + e.getMessage()
                        + " (choose another with --http-port)", e);
            }
            if (config.grpcPort() >= 0) {
                grpc = Grpc.newServerBuilderForPort(config.grpcPort(), InsecureServerCredentials.create())
                        .addService(new OipGrpcService(gateway, VERSION))
                        .maxInboundMessageSize(config.maxBodyBytes())
                        .build();
                try {
                    grpc.start();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot serve gRPC on port " + config.grpcPort() + ": " + e.getMessage()
                            + " (choose another with --grpc-port)", e);
                }
            }
        } catch (RuntimeException e) {
            stopQuietly(http);
            if (grpc != null) {
                grpc.shutdownNow();
            }
            client.close();
            throw e;
        }
        GatewayServer s = new GatewayServer(client, gateway, http, grpc, "localhost");
        log.info("OIP gateway serving {} (HTTP) and {} (gRPC) against {}: max in flight {}, default timeout {} ms",
                s.baseUrl(), grpc == null ? "none" : "localhost:" + s.grpcPort(), kafka.bootstrap(), config.maxInFlight(),
                config.defaultTimeoutMs());
        return s;
    }

    public int httpPort() {
        return ((ServerConnector) http.getConnectors()[0]).getLocalPort();
    }

    /** The gRPC port, or -1 without a gRPC server. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.getPort();
    }

    /** The REST API's base URL, {@code http://HOST:PORT/v2}. */
    public String baseUrl() {
        return "http://" + host + ":" + httpPort() + "/v2";
    }

    public InferenceGateway gateway() {
        return gateway;
    }

    @Override
    public void close() {
        gateway.stopAccepting();
        long until = System.currentTimeMillis() + 5_000;
        while (gateway.inFlight() > 0 && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (grpc != null) {
            grpc.shutdown();
            try {
                if (!grpc.awaitTermination(2, TimeUnit.SECONDS)) {
                    grpc.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                grpc.shutdownNow();
            }
        }
        stopQuietly(http);
        client.close();
    }

    private static void stopQuietly(org.eclipse.jetty.server.Server http) {
        if (http == null) {
            return;
        }
        try {
            http.stop();
        } catch (Exception e) {
            log.warn("stopping the HTTP server: {}", e.toString());
        }
    }
}
