package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.strimzi.Manifests.Doc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every document of every YAML file under strimzi/base and strimzi/overlays parses strictly. */
class ManifestParsingTest {

    @TestFactory
    Stream<DynamicTest> everyDocumentParsesStrictlyIntoItsModel() {
        List<Doc> docs = Manifests.all();
        assertTrue(docs.size() > 30, "expected the whole base, found " + docs.size() + " documents");
        return docs.stream().map(d -> DynamicTest.dynamicTest(d.toString(), () -> Manifests.parseStrictly(d)));
    }

    @Test
    void everyKustomizationListsExactlyTheFilesBesideIt() throws IOException {
        for (Path dir : List.of(Manifests.BASE, Manifests.OVERLAYS.resolve("cpu"), Manifests.OVERLAYS.resolve("gpu"),
                Manifests.OVERLAYS.resolve("second-deployment"))) {
            Doc k = Manifests.read(dir.resolve("kustomization.yaml")).get(0);
            Manifests.parseStrictly(k);
            Set<String> listed = new HashSet<>();
            k.node().path("resources").forEach(r -> listed.add(r.asText()));
            k.node().path("patches").forEach(p -> {
                if (p.has("path")) { // not an inline patch
                    listed.add(p.path("path").asText());
                }
            });
            k.node().path("configurations").forEach(c -> listed.add(c.asText()));
            for (String entry : listed) {
                assertTrue(Files.exists(dir.resolve(entry)), dir + ": lists missing " + entry);
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                    String name = f.getFileName().toString();
                    assertTrue(name.equals("kustomization.yaml") || listed.contains(name),
                            dir + ": " + name + " is not listed in kustomization.yaml, so kubectl apply -k ignores it");
                }
            }
        }
    }

    @Test
    void overlayPatchesTargetDeploymentsOfTheBase() {
        Set<String> baseDeployments = new HashSet<>();
        Manifests.baseOf("Deployment").forEach(d -> baseDeployments.add(d.name()));
        List<Doc> patches = new ArrayList<>();
        for (Doc d : Manifests.all()) {
            if (d.file().startsWith(Manifests.OVERLAYS) && !d.kind().equals("Kustomization")) {
                patches.add(d);
            }
        }
        assertFalse(patches.isEmpty());
        for (Doc p : patches) {
            assertEquals("Deployment", p.kind(), p + ": overlays only patch Deployments");
            assertTrue(baseDeployments.contains(p.name()), p + ": no such Deployment in the base");
        }
    }

    @Test
    void imageNamesAreSetOnlyInKustomizationImages() throws IOException {
        for (Path f : Manifests.yamlFiles()) {
            if (f.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            String text = Files.readString(f);
            assertFalse(text.contains("ghcr.io/") || text.contains("docker.io/"), f + " names a registry: set images in kustomization.yaml");
        }
        Doc base = Manifests.read(Manifests.BASE.resolve("kustomization.yaml")).get(0);
        Set<String> images = new HashSet<>();
        base.node().path("images").forEach(i -> images.add(i.path("name").asText() + "=" + i.path("newName").asText() + ":"
                + i.path("newTag").asText()));
        assertTrue(images.contains("sluice=" + BuildImage.of(null).reference()), images.toString());
    }

    @Test
    void strimziResourcesUseTheV1ApiAndBelongToTheCluster() {
        for (Doc d : Manifests.all()) {
            if (d.kind().startsWith("Kafka")) {
                assertEquals("kafka.strimzi.io/v1", d.node().path("apiVersion").asText(), d.toString());
                if (!d.kind().equals("Kafka")) {
                    assertEquals("sluice", d.node().path("metadata").path("labels").path("strimzi.io/cluster").asText(),
                            d + ": strimzi.io/cluster label");
                }
            }
        }
    }
}
