package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The images the manifests run are the images the build makes: kustomize's images: entries name
 * the image and tag that launcher/pom.xml's Jib configuration builds ({@code sluice.image.name},
 * {@code sluice.image.tag} = project version, plus the gpu profile's tag suffix in the gpu
 * overlay). Bumping the version without the manifests, or the other way round, fails here.
 */
class ImageTagTest {
    private static final Path LAUNCHER_POM = Manifests.REPO.resolve("launcher/pom.xml");
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    /** The launcher's properties, with project.version, optionally overridden by one profile's. */
    private static Map<String, String> buildProperties(String profile) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        Document pom = f.newDocumentBuilder().parse(LAUNCHER_POM.toFile());
        Element project = pom.getDocumentElement();
        Map<String, String> props = new HashMap<>();
        Element version = child(project, "version");
        props.put("project.version", (version != null ? version : child(child(project, "parent"), "version")).getTextContent().trim());
        readProperties(child(project, "properties"), props);
        Element profiles = child(project, "profiles");
        boolean found = profile == null;
        if (profiles != null) {
            for (Node n = profiles.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element p && child(p, "id").getTextContent().trim().equals(profile)) {
                    readProperties(child(p, "properties"), props);
                    found = true;
                }
            }
        }
        assertTrue(found, "launcher/pom.xml has no profile " + profile);
        return props;
    }

    private static void readProperties(Element properties, Map<String, String> into) {
        if (properties == null) {
            return;
        }
        NodeList list = properties.getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            if (list.item(i) instanceof Element e) {
                into.put(e.getTagName(), e.getTextContent().trim());
            }
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String resolve(String value, Map<String, String> props) {
        String v = value;
        for (int i = 0; i < 10; i++) {
            Matcher m = PROPERTY.matcher(v);
            if (!m.find()) {
                return v;
            }
            String p = props.get(m.group(1));
            assertNotNull(p, "launcher/pom.xml: property " + m.group(1) + " is not defined");
            v = v.substring(0, m.start()) + p + v.substring(m.end());
        }
        throw new AssertionError("property cycle in " + value);
    }

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
    void baseRunsTheImageTheBuildMakes() throws Exception {
        Map<String, String> build = buildProperties(null);
        String name = resolve(build.get("sluice.image.name"), build);
        String tag = resolve(build.get("sluice.image.tag"), build);
        assertEquals(build.get("project.version"), tag, "the CPU image is tagged with the project version");
        JsonNode entry = imageEntry(kustomization(Manifests.BASE), "sluice");
        assertEquals(name, entry.path("newName").asText(), "base kustomization image name vs launcher/pom.xml sluice.image.name");
        assertEquals(tag, entry.path("newTag").asText(), "base kustomization image tag vs the Maven build's tag");
    }

    @Test
    void gpuOverlayRunsTheCudaImageTheGpuProfileMakes() throws Exception {
        Map<String, String> build = buildProperties("gpu");
        String name = resolve(build.get("sluice.image.name"), build);
        String tag = resolve(build.get("sluice.image.tag"), build);
        assertTrue(tag.endsWith("-cuda"), "the gpu profile's image tag ends with -cuda: " + tag);
        JsonNode entry = imageEntry(kustomization(Manifests.OVERLAYS.resolve("gpu")), name);
        assertEquals(tag, entry.path("newTag").asText(), "gpu overlay image tag vs mvn -Pgpu's tag");
        assertTrue(entry.path("newName").isMissingNode() || entry.path("newName").asText().equals(name),
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
                assertTrue(!c.getArgs().isEmpty() && c.getArgs().get(0).matches("selector|executor|aggregator|bridge"),
                        d.getMetadata().getName() + ": args start with a sluice subcommand: " + c.getArgs());
                containers++;
            }
        }
        assertTrue(containers >= 4, "sluice containers in the base: " + containers);
    }
}
