package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/**
 * The images the manifests run are the images the build makes. launcher/pom.xml is the single
 * source: {@code sluice.image.name}, {@code sluice.image.tag} (the project version, plus the gpu
 * profile's suffix), and the Jib {@code <to><image>} built from them. kustomize's images: entries
 * (base: the CPU image; gpu overlay: the -cuda tag) must equal them, so bumping the version, renaming
 * the image or changing Jib's target without the manifests (or the other way round) fails here.
 */
class ImageTagTest {

    private static JsonNode kustomization(Path dir) throws Exception {
        return new YAMLMapper().readTree(dir.resolve("kustomization.yaml").toFile());
    }

    private static JsonNode imageEntry(JsonNode kustomization, String name) {
        for (JsonNode image : kustomization.path("images")) {
            if (image.path("name").asText().equals(name)) {
                return image;
            }
        }
        throw new AssertionError("no images: entry named " + name);
    }

    @Test
    void jibBuildsTheImageNamedByTheProperties() {
        // every profile: a -D or profile override of <to> that forgets the properties would build
        // an image the manifests do not name
        for (String profile : BuildImage.profileIds()) {
            BuildImage image = BuildImage.of(profile);
            assertEquals(image.reference(), image.jibTo(), "launcher/pom.xml profile " + profile + ": Jib <to><image>");
        }
        BuildImage image = BuildImage.of(null);
        assertEquals(image.reference(), image.jibTo(), "launcher/pom.xml: Jib <to><image>");
    }

    @Test
    void theOfflineImageIsTheCpuImage() {
        // -Poffline-image changes only how the image is built (FROM scratch, jlinked runtime), not
        // what the cluster pulls: the base kustomization names it too
        assertEquals(BuildImage.of(null), BuildImage.of("offline-image"));
    }

    @Test
    void baseRunsTheImageTheBuildMakes() throws Exception {
        BuildImage build = BuildImage.of(null);
        JsonNode entry = imageEntry(kustomization(Manifests.BASE), "sluice");
        assertEquals(build.name(), entry.path("newName").asText(), "base kustomization image name vs launcher/pom.xml sluice.image.name");
        assertEquals(build.tag(), entry.path("newTag").asText(), "base kustomization image tag vs the Maven build's tag");
    }

    @Test
    void theCpuImageIsTaggedWithTheProjectVersion() throws Exception {
        String version = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Manifests.REPO.resolve("pom.xml").toFile())
                .getDocumentElement().getElementsByTagName("version").item(0).getTextContent().trim();
        assertEquals(version, BuildImage.of(null).tag(), "the CPU image tag is the root pom's version");
    }

    @Test
    void gpuOverlayRunsTheCudaImageTheGpuProfileMakes() throws Exception {
        BuildImage build = BuildImage.of("gpu");
        assertTrue(build.tag().endsWith("-cuda"), "the gpu profile's image tag ends with -cuda: " + build.tag());
        JsonNode entry = imageEntry(kustomization(Manifests.OVERLAYS.resolve("gpu")), build.name());
        assertEquals(build.tag(), entry.path("newTag").asText(), "gpu overlay image tag vs mvn -Pgpu's tag");
        assertTrue(entry.path("newName").isMissingNode() || entry.path("newName").asText().equals(build.name()),
                "the gpu overlay keeps the image name");
    }

    @Test
    void everySluiceContainerUsesTheImagePlaceholderAndASubcommand() {
        // the placeholder "sluice" is what the images: entry rewrites; the image's entrypoint is the
        // sluice command, so the container args start with a subcommand
        int containers = 0;
        for (Manifests.Doc doc : Manifests.baseOf("Deployment")) {
            Deployment d = Manifests.parse(doc, Deployment.class);
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                if (!c.getImage().equals("sluice")) {
                    continue;
                }
                assertTrue(c.getCommand() == null || c.getCommand().isEmpty(),
                        d.getMetadata().getName() + ": keep the image's entrypoint (java ... dev.sluice.launcher.Main)");
                assertTrue(!c.getArgs().isEmpty() && c.getArgs().get(0).matches("selector|executor|aggregator|bridge|gateway"),
                        d.getMetadata().getName() + ": args start with a sluice subcommand: " + c.getArgs());
                containers++;
            }
        }
        assertTrue(containers >= 5, "sluice containers in the base: " + containers);
    }
}
