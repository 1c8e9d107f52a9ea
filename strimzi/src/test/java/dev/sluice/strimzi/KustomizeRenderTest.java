package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.strimzi.Manifests.Doc;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders each overlay with `kubectl kustomize` (when kubectl is on the PATH; skipped otherwise) and
 * parses the result strictly: what `kubectl apply -k` would send, not only the files it is built from.
 */
class KustomizeRenderTest {

    static String render(Path dir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            Assumptions.abort("kubectl is not installed: " + e.getMessage());
            throw e;
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ": " + err);
        return new String(out, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void overlayRendersToStrictlyValidResources(String overlay) throws Exception {
        Path dir = Manifests.OVERLAYS.resolve(overlay);
        List<Doc> docs = Manifests.readYaml(dir.resolve("rendered.yaml"), render(dir));
        assertTrue(docs.size() > 30);
        int executors = 0;
        for (Doc d : docs) {
            Manifests.parseStrictly(d);
            assertEquals("Namespace".equals(d.kind()) ? "" : "sluice", d.node().path("metadata").path("namespace").asText(), d.toString());
            if (!d.kind().equals("Deployment")) {
                continue;
            }
            Deployment dep = Manifests.parse(d, Deployment.class);
            for (Container c : dep.getSpec().getTemplate().getSpec().getContainers()) {
                // what the Maven build makes (launcher/pom.xml), with -Pgpu for the gpu overlay
                assertEquals(BuildImage.of(overlay.equals("gpu") ? "gpu" : null).reference(), c.getImage(), d.toString());
                if (!c.getArgs().get(0).equals("executor")) {
                    continue;
                }
                executors++;
                assertTrue(c.getArgs().contains("--device=$(SLUICE_DEVICE)"), d.toString());
                String device = c.getEnv().stream().filter(e -> e.getName().equals("SLUICE_DEVICE")).findFirst().orElseThrow().getValue();
                assertEquals(overlay.equals("gpu") ? "cuda" : "cpu", device, d + ": --device");
                Quantity gpu = c.getResources().getLimits().get("nvidia.com/gpu");
                if (overlay.equals("gpu")) {
                    assertEquals("1", gpu.getAmount(), d.toString());
                    assertTrue(dep.getSpec().getTemplate().getSpec().getTolerations().stream()
                            .anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())), d + ": tolerates the GPU taint");
                } else {
                    assertEquals(null, gpu, d.toString());
                }
            }
        }
        assertEquals(2, executors);
    }
}
