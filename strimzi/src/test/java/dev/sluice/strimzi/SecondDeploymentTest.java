package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.strimzi.Manifests.Doc;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The overlay that runs a second Sluice deployment on the first one's Kafka cluster
 * (overlays/second-deployment), rendered with `kubectl kustomize` (skipped without kubectl): every
 * name it owns carries its prefix, everything it shares is left out, and its components run with
 * the same prefix, so the names they use are the ones its topics and ACLs grant.
 */
class SecondDeploymentTest {
    private static final String PREFIX = "team-b-";

    private static List<Doc> render(String overlay) throws Exception {
        Path dir = Manifests.OVERLAYS.resolve(overlay);
        return Manifests.readYaml(dir.resolve("rendered.yaml"), KustomizeRenderTest.render(dir));
    }

    private static Set<String> names(List<Doc> docs, String kind) {
        return docs.stream().filter(d -> d.kind().equals(kind)).map(Doc::name).collect(Collectors.toSet());
    }

    @Test
    void everyNameTheSecondDeploymentOwnsCarriesItsPrefixAndWhatItSharesIsLeftOut() throws Exception {
        List<Doc> first = render("cpu");
        List<Doc> second = render("second-deployment");
        for (String shared : List.of("Kafka", "KafkaNodePool", "ApicurioRegistry3", "Namespace", "PodMonitor")) {
            assertTrue(names(second, shared).isEmpty(), shared + " is the first deployment's: " + names(second, shared));
        }
        // the same topics and users as the first deployment, under the prefix (less the registry's)
        Set<String> topics = names(first, "KafkaTopic").stream().filter(t -> t.startsWith("sluice."))
                .map(t -> PREFIX + t).collect(Collectors.toSet());
        assertEquals(topics, names(second, "KafkaTopic"));
        Set<String> users = names(first, "KafkaUser").stream().filter(u -> !u.equals("sluice-registry"))
                .map(u -> PREFIX + u).collect(Collectors.toSet());
        assertEquals(users, names(second, "KafkaUser"));

        for (Doc d : second) {
            Manifests.parseStrictly(d);
            assertTrue(d.name().startsWith(PREFIX), d.toString());
            if (d.kind().equals("KafkaUser")) {
                for (JsonNode acl : d.node().path("spec").path("authorization").path("acls")) {
                    String resource = acl.path("resource").path("name").asText();
                    assertTrue(resource.startsWith(PREFIX), d + ": ACL on " + resource);
                }
            }
        }
        Set<String> deployments = names(second, "Deployment");
        for (Doc d : second) {
            if (d.kind().equals("Deployment")) {
                JsonNode pod = d.node().path("spec").path("template").path("spec");
                JsonNode args = pod.path("containers").get(0).path("args");
                assertEquals("--prefix=" + PREFIX, args.get(1).asText(), d + ": " + args);
                assertEquals("team-b", d.node().path("spec").path("selector").path("matchLabels")
                        .path("app.kubernetes.io/instance").asText(), d + ": selects only its own pods");
                for (JsonNode env : pod.path("initContainers").get(0).path("env")) {
                    String secret = env.path("valueFrom").path("secretKeyRef").path("name").asText("");
                    assertTrue(secret.isEmpty() || names(second, "KafkaUser").contains(secret), d + ": reads " + secret);
                }
            }
            if (d.kind().equals("ScaledObject")) {
                assertTrue(deployments.contains(d.node().path("spec").path("scaleTargetRef").path("name").asText()), d.toString());
                for (JsonNode trigger : d.node().path("spec").path("triggers")) {
                    assertTrue(names(second, "KafkaTopic").contains(trigger.path("metadata").path("topic").asText()), d.toString());
                    assertTrue(trigger.path("metadata").path("consumerGroup").asText().startsWith(PREFIX + "sluice-executor-"),
                            d.toString());
                }
            }
        }
        assertFalse(deployments.isEmpty());
    }
}
