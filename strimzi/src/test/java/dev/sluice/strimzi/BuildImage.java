package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The image the Maven build makes, read from launcher/pom.xml: the single source of the image name
 * and tag ({@code sluice.image.name}, {@code sluice.image.tag} = project version plus a profile's
 * suffix) and the Jib plugin's {@code <to><image>}, with one profile's properties and Jib
 * configuration applied. The manifests' kustomize images: entries are checked against it.
 */
record BuildImage(String name, String tag, String jibTo) {
    static final Path LAUNCHER_POM = Manifests.REPO.resolve("launcher/pom.xml");
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");
    private static final String JIB = "jib-maven-plugin";

    /** name:tag, what kustomize writes into the containers. */
    String reference() {
        return name + ":" + tag;
    }

    /** The image of the default build (profile null) or of the build with one launcher profile. */
    static BuildImage of(String profile) {
        Element project;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            Document pom = f.newDocumentBuilder().parse(LAUNCHER_POM.toFile());
            project = pom.getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + LAUNCHER_POM, e);
        }
        Map<String, String> props = new HashMap<>();
        Element version = child(project, "version");
        props.put("project.version", (version != null ? version : child(child(project, "parent"), "version")).getTextContent().trim());
        readProperties(child(project, "properties"), props);
        String to = jibToImage(child(project, "build"));
        assertNotNull(to, "launcher/pom.xml: the jib-maven-plugin configuration has no <to><image>");
        if (profile != null) {
            Element p = profiles(project).stream().filter(e -> text(child(e, "id")).equals(profile)).findFirst()
                    .orElseThrow(() -> new AssertionError("launcher/pom.xml has no profile " + profile));
            readProperties(child(p, "properties"), props);
            String profileTo = jibToImage(child(p, "build"));
            if (profileTo != null) {
                to = profileTo;
            }
        }
        return new BuildImage(resolve(props.get("sluice.image.name"), props), resolve(props.get("sluice.image.tag"), props),
                resolve(to, props));
    }

    /** The ids of launcher/pom.xml's profiles. */
    static List<String> profileIds() {
        try {
            Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(LAUNCHER_POM.toFile()).getDocumentElement();
            return profiles(project).stream().map(p -> text(child(p, "id"))).toList();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + LAUNCHER_POM, e);
        }
    }

    private static List<Element> profiles(Element project) {
        List<Element> out = new ArrayList<>();
        Element profiles = child(project, "profiles");
        if (profiles != null) {
            for (Node n = profiles.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element p && p.getTagName().equals("profile")) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** build/plugins/plugin[artifactId=jib-maven-plugin]/configuration/to/image, or null. */
    private static String jibToImage(Element build) {
        Element plugins = build == null ? null : child(build, "plugins");
        if (plugins == null) {
            return null;
        }
        for (Node n = plugins.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element plugin && JIB.equals(text(child(plugin, "artifactId")))) {
                Element to = child(child(plugin, "configuration"), "to");
                return to == null || child(to, "image") == null ? null : text(child(to, "image"));
            }
        }
        return null;
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
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element e) {
        return e == null ? "" : e.getTextContent().trim();
    }

    static String resolve(String value, Map<String, String> props) {
        assertNotNull(value, "launcher/pom.xml: an image property is missing");
        String v = value;
        for (int i = 0; i < 10; i++) {
            Matcher m = PROPERTY.matcher(v);
            if (!m.find()) {
                assertTrue(!v.isBlank(), "launcher/pom.xml: empty image name or tag from " + value);
                return v;
            }
            String p = props.get(m.group(1));
            assertNotNull(p, "launcher/pom.xml: property " + m.group(1) + " is not defined");
            v = v.substring(0, m.start()) + p + v.substring(m.end());
        }
        throw new AssertionError("property cycle in " + value);
    }
}
