package dev.sluice.bench.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.bench.overhead.Target;
import dev.sluice.models.FashionMnist;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's OIP REST API as a {@link Target}: Fashion-MNIST test images as
 * {@code POST /v2/models/fashion-mnist/infer} bodies (rendered once, up front, so that the load
 * generator spends its CPU on sending), sent with the JDK's HTTP client over keep-alive
 * connections. An answer counts when it is 200 and served by the expected variant.
 */
public final class HttpGatewayTarget implements Target {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI uri;
    private final byte[][] bodies;
    private final String expectedVariant;
    private final AtomicLong next = new AtomicLong();

    /**
     * @param baseUrl the gateway's {@code http://HOST:PORT/v2}
     * @param images how many distinct test images to cycle through
     */
    public HttpGatewayTarget(String baseUrl, FashionMnist data, int images, String policy, String expectedVariant,
            long timeoutMs) {
        this.uri = URI.create(baseUrl + "/models/fashion-mnist/infer");
        this.expectedVariant = expectedVariant;
        this.bodies = new byte[Math.min(images, data.size())][];
        for (int i = 0; i < bodies.length; i++) {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("parameters").put("timeout_ms", timeoutMs).put("policy", policy);
            ObjectNode in = body.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
            in.putArray("shape").add(1).add(1).add(28).add(28);
            ArrayNode values = in.putArray("data");
            for (float f : data.images()[i]) {
                values.add(f);
            }
            bodies[i] = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public CompletableFuture<Reply> send() {
        byte[] body = bodies[(int) (next.getAndIncrement() % bodies.length)];
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(180))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
                .handle((r, e) -> e != null ? Reply.failure(e.toString()) : reply(r));
    }

    private Reply reply(HttpResponse<byte[]> r) {
        JsonNode a;
        try {
            a = JSON.readTree(r.body());
        } catch (IOException e) {
            return Reply.failure("HTTP " + r.statusCode() + ", not JSON: " + e.getMessage());
        }
        if (r.statusCode() != 200) {
            return Reply.failure("HTTP " + r.statusCode() + ": " + a.path("error").asText());
        }
        JsonNode p = a.path("parameters");
        if (!p.path("variants").asText().equals(expectedVariant)) {
            return Reply.failure("served by " + p.path("variants").asText() + ", not " + expectedVariant);
        }
        return Reply.success(p.path("latency_compute_ms").asDouble(), new Stages(p.path("latency_ingest_ms").asDouble(),
                p.path("latency_select_ms").asDouble(), p.path("latency_queue_ms").asDouble(),
                p.path("latency_compute_ms").asDouble(), p.path("latency_aggregate_ms").asDouble()));
    }
}
