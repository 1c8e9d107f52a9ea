package dev.sluice.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.schemas.RegistryProbe;
import dev.sluice.schemas.SluiceSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The registry path: the pipeline with {@code --registry} pointing at an Apicurio Registry 3
 * server in a container (in-memory storage) and Kafka in another, so the serdes register and
 * fetch schemas over Apicurio's v3 REST API instead of the fingerprint registry of the other ITs.
 */
@ExtendWith(DockerRequired.class)
class ApicurioRegistryContainerIT {
    static final DockerImageName APICURIO = DockerImageName.parse(
            System.getProperty("sluice.apicurio.image", "apicurio/apicurio-registry:3.1.7"));

    @Test
    void requestsAndResultsCarrySchemasFromTheRegistryServer() throws Exception {
        try (KafkaContainer kafka = new KafkaContainer(KafkaContainerIT.KAFKA);
             GenericContainer<?> registry = new GenericContainer<>(APICURIO).withExposedPorts(8080)
                     .waitingFor(Wait.forHttp("/apis/registry/v3/system/info").forStatusCode(200)
                             .withStartupTimeout(Duration.ofMinutes(3)))) {
            kafka.start();
            registry.start();
            String api = "http://" + registry.getHost() + ":" + registry.getMappedPort(8080) + "/apis/registry/v3";
            // the start-up check every component runs passes against the real server
            RegistryProbe.Info info = RegistryProbe.check(SluiceSerdes.of(api)).orElseThrow();
            assertTrue(info.version().startsWith("3."), "Apicurio Registry 3: " + info);
            assertTrue(info.notChecked().isEmpty(), info.toString());
            ContainerPipeline.serve(kafka.getBootstrapServers(), SluiceSerdes.of(api), 100, "tc-registry");

            // the serdes registered Sluice's schemas with the server (the fingerprint mode registers nothing)
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/search/artifacts?limit=100"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode found = new ObjectMapper().readTree(r.body());
            assertTrue(found.path("count").asInt() >= 2, "request and result schemas registered: " + r.body());
        }
    }
}
