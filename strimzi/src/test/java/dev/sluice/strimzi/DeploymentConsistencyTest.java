package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.Topics;
import dev.sluice.strimzi.Manifests.Doc;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Deployments call real sluice commands with real flags; KEDA scales what exists, within the partitions. */
class DeploymentConsistencyTest {
    static final Path LAUNCHER = Manifests.REPO.resolve("launcher/src/main/java/dev/sluice/launcher");
    private static final Pattern COMMAND_NAME = Pattern.compile("@Command\\(\\s*name\\s*=\\s*\"([a-z-]+)\"");
    private static final Pattern OPTION = Pattern.compile("@Option\\(\\s*names\\s*=\\s*(\\{[^}]*}|\"[^\"]+\")([^)]*)\\)");
    private static final Pattern MIXIN = Pattern.compile("@Mixin\\s+([A-Z][A-Za-z]*)\\s+\\w+;");
    private static final Pattern QUOTED = Pattern.compile("\"(--?[A-Za-z0-9-]+)\"");

    /** A subcommand as the launcher declares it: its flags (own, each mixin's, help) and the required ones. */
    record Command(String name, Set<String> flags, Set<String> required) {}

    static Map<String, Command> commands() throws IOException {
        Map<String, Command> m = new HashMap<>();
        try (Stream<Path> files = Files.list(LAUNCHER)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith("Command.java")).toList()) {
                String src = Files.readString(f);
                Matcher c = COMMAND_NAME.matcher(src);
                if (!c.find()) {
                    continue;
                }
                Options own = options(src);
                Set<String> flags = new TreeSet<>(own.flags());
                Matcher mixin = MIXIN.matcher(src);
                while (mixin.find()) {
                    flags.addAll(options(Files.readString(LAUNCHER.resolve(mixin.group(1) + ".java"))).flags());
                }
                if (src.contains("mixinStandardHelpOptions = true")) {
                    flags.addAll(List.of("-h", "--help", "-V", "--version"));
                }
                m.put(c.group(1), new Command(c.group(1), flags, own.required()));
            }
        }
        assertTrue(m.keySet().containsAll(List.of("selector", "executor", "aggregator", "bridge")), m.keySet().toString());
        return m;
    }

    record Options(Set<String> flags, Set<String> required) {}

    static Options options(String src) {
        Set<String> flags = new TreeSet<>();
        Set<String> required = new TreeSet<>();
        Matcher o = OPTION.matcher(src);
        while (o.find()) {
            Matcher q = QUOTED.matcher(o.group(1));
            List<String> names = new ArrayList<>();
            while (q.find()) {
                names.add(q.group(1));
            }
            flags.addAll(names);
            if (o.group(2).replace(" ", "").contains("required=true")) {
                required.add(names.get(0));
            }
        }
        return new Options(flags, required);
    }

    static Map<String, Deployment> deployments() {
        Map<String, Deployment> m = new LinkedHashMap<>();
        for (Doc d : Manifests.baseOf("Deployment")) {
            m.put(d.name(), Manifests.parse(d, Deployment.class));
        }
        return m;
    }

    static Container sluiceContainer(Deployment d) {
        List<Container> cs = d.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> "sluice".equals(c.getImage())).toList();
        assertEquals(1, cs.size(), d.getMetadata().getName() + ": one container runs the sluice image");
        return cs.get(0);
    }

    static Map<String, String> flags(Container c) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : c.getArgs().subList(1, c.getArgs().size())) {
            assertTrue(a.startsWith("--") && a.contains("="), c.getName() + ": write flags as --name=value, not '" + a + "'");
            m.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return m;
    }

    /** The KafkaUser whose Secret feeds the pod's --kafka-config (the init container's secretKeyRef). */
    static String kafkaUserOf(Deployment d) {
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Set<String> secrets = new HashSet<>();
        for (Container c : pod.getInitContainers()) {
            for (EnvVar e : c.getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    assertEquals("sasl.jaas.config", e.getValueFrom().getSecretKeyRef().getKey());
                    secrets.add(e.getValueFrom().getSecretKeyRef().getName());
                }
            }
        }
        assertEquals(1, secrets.size(), d.getMetadata().getName() + ": one KafkaUser secret");
        return secrets.iterator().next();
    }

    /** KafkaUser name -> variants served by the executor Deployments that use it. */
    static Map<String, List<String>> executorVariantsByUser() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Deployment d : deployments().values()) {
            Container c = sluiceContainer(d);
            if (c.getArgs().get(0).equals("executor")) {
                m.computeIfAbsent(kafkaUserOf(d), k -> new ArrayList<>()).addAll(List.of(flags(c).get("--variants").split(",")));
            }
        }
        return m;
    }

    @Test
    void argsNameAnExistingCommandAndItsFlags() throws IOException {
        Map<String, Command> commands = commands();
        Set<String> users = new HashSet<>();
        Manifests.baseOf("KafkaUser").forEach(u -> users.add(u.name()));
        Map<String, Deployment> ds = deployments();
        assertEquals(Set.of("selector", "aggregator", "bridge", "executor", "gateway"),
                new HashSet<>(ds.values().stream().map(d -> sluiceContainer(d).getArgs().get(0)).toList()));
        for (Deployment d : ds.values()) {
            String name = d.getMetadata().getName();
            Container c = sluiceContainer(d);
            Command cmd = commands.get(c.getArgs().get(0));
            assertNotNull(cmd, name + ": no sluice command " + c.getArgs().get(0));
            Map<String, String> flags = flags(c);
            for (String f : flags.keySet()) {
                assertTrue(cmd.flags().contains(f), name + ": '" + cmd.name() + "' has no flag " + f + " (has " + cmd.flags() + ")");
            }
            assertTrue(flags.keySet().containsAll(cmd.required()), name + ": missing required " + cmd.required());
            assertTrue(flags.get("--bootstrap").startsWith("sluice-kafka-bootstrap:9093"), name);
            assertEquals("9400", flags.get("--metrics-port"), name);
            assertTrue(flags.get("--registry").startsWith("http://sluice-registry-app-service:8080/"), name);
            // $(VAR) references resolve from the container's env
            Set<String> env = new HashSet<>();
            c.getEnv().forEach(e -> env.add(e.getName()));
            for (String v : flags.values()) {
                Matcher ref = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(v);
                while (ref.find()) {
                    assertTrue(env.contains(ref.group(1)), name + ": $(" + ref.group(1) + ") is not in env");
                }
            }
            // metrics port, probes, config file and its user
            var port = c.getPorts().stream().filter(p -> "metrics".equals(p.getName())).findFirst().orElseThrow();
            assertEquals(9400, port.getContainerPort(), name);
            assertEquals("/health", c.getLivenessProbe().getHttpGet().getPath(), name);
            assertEquals("metrics", c.getLivenessProbe().getHttpGet().getPort().getStrVal(), name);
            assertEquals("/config/kafka.properties", flags.get("--kafka-config"), name);
            assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/config")), name + " mounts /config");
            assertTrue(users.contains(kafkaUserOf(d)), name + ": no KafkaUser " + kafkaUserOf(d));
            assertEquals("sluice", d.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/part-of"),
                    name + ": the PodMonitor selects app.kubernetes.io/part-of=sluice");
        }
    }

    @Test
    void everyCatalogVariantIsServedByExactlyOneExecutorDeployment() throws IOException {
        List<String> served = new ArrayList<>();
        executorVariantsByUser().values().forEach(served::addAll);
        assertEquals(new TreeSet<>(TopicAndAclConsistencyTest.catalogVariants()), new TreeSet<>(served));
        assertEquals(served.size(), new HashSet<>(served).size(), "a variant is served by two Deployments: " + served);
    }

    @Test
    void thePodMonitorSelectsTheComponentsMetricsPort() {
        Doc doc = Manifests.baseOf("PodMonitor").stream().filter(d -> d.name().equals("sluice-components")).findFirst().orElseThrow();
        PodMonitor pm = Manifests.parse(doc, PodMonitor.class);
        assertEquals("sluice", pm.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/part-of"));
        assertEquals("metrics", pm.getSpec().getPodMetricsEndpoints().get(0).getPort());
    }

    /** Keys of the KEDA kafka trigger (KEDA 2.21 docs, scalers/apache-kafka.md). */
    static final Set<String> KAFKA_TRIGGER_KEYS = Set.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold",
            "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset",
            "excludePersistentLag", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "partitionLimitation",
            "fullMetadata", "version", "sasl", "tls", "unsafeSsl");

    @Test
    void kedaScalesEachExecutorOnItsOwnGroupsWithinThePartitions() {
        Map<String, Deployment> ds = deployments();
        Map<String, Integer> partitions = new HashMap<>();
        for (Doc d : Manifests.baseOf("KafkaTopic")) {
            KafkaTopic t = Manifests.parse(d, KafkaTopic.class);
            partitions.put(t.getMetadata().getName(), t.getSpec().getPartitions());
        }
        Set<String> auths = new HashSet<>();
        Manifests.baseOf("TriggerAuthentication").forEach(d -> auths.add(d.name()));
        Set<String> scaled = new HashSet<>();
        for (Doc d : Manifests.baseOf("ScaledObject")) {
            Manifests.parseStrictly(d);
            JsonNode spec = d.node().path("spec");
            String target = spec.path("scaleTargetRef").path("name").asText();
            Deployment dep = ds.get(target);
            assertNotNull(dep, d + ": no Deployment " + target);
            Container c = sluiceContainer(dep);
            assertEquals("executor", c.getArgs().get(0), d + " scales a non-executor");
            scaled.add(target);
            Set<String> variants = new TreeSet<>(List.of(flags(c).get("--variants").split(",")));
            Set<String> triggered = new TreeSet<>();
            int max = spec.path("maxReplicaCount").asInt();
            assertTrue(spec.path("minReplicaCount").asInt() >= 1, d + ": keep minReplicaCount >= 1 (KEDA may lose the group at 0)");
            for (JsonNode t : spec.path("triggers")) {
                assertEquals("kafka", t.path("type").asText(), d.toString());
                JsonNode md = t.path("metadata");
                md.fieldNames().forEachRemaining(k -> assertTrue(KAFKA_TRIGGER_KEYS.contains(k), d + ": unknown kafka trigger key " + k));
                String topic = md.path("topic").asText();
                assertTrue(topic.startsWith(Topics.DEFAULT.tasksPrefix()), d + ": " + topic);
                String variant = topic.substring(Topics.DEFAULT.tasksPrefix().length());
                triggered.add(variant);
                assertEquals("sluice-executor-" + variant, md.path("consumerGroup").asText(), d + ": group of " + topic);
                assertTrue(md.path("bootstrapServers").asText().startsWith("sluice-kafka-bootstrap."), d.toString());
                Integer p = partitions.get(topic);
                assertNotNull(p, d + ": no KafkaTopic " + topic);
                assertTrue(max <= p, d + ": maxReplicaCount " + max + " > " + p + " partitions of " + topic);
                assertTrue(auths.contains(t.path("authenticationRef").path("name").asText()), d + ": authenticationRef");
            }
            assertEquals(variants, triggered, d + ": one trigger per variant the Deployment serves");
        }
        Set<String> executors = new HashSet<>();
        ds.forEach((n, dep) -> {
            if (sluiceContainer(dep).getArgs().get(0).equals("executor")) {
                executors.add(n);
            }
        });
        assertEquals(executors, scaled, "every executor Deployment has a ScaledObject");
    }

    @Test
    void theRegistryStoresInKafkaOverMutualTls() {
        Doc d = Manifests.baseOf("ApicurioRegistry3").get(0);
        Manifests.parseStrictly(d);
        JsonNode kafkasql = d.node().path("spec").path("app").path("storage").path("kafkasql");
        assertEquals("kafkasql", d.node().path("spec").path("app").path("storage").path("type").asText());
        assertEquals("sluice-kafka-bootstrap:9094", kafkasql.path("bootstrapServers").asText());
        String user = kafkasql.path("tls").path("keystoreSecretName").asText();
        Doc u = Manifests.baseOf("KafkaUser").stream().filter(x -> x.name().equals(user)).findFirst().orElseThrow();
        assertEquals("tls", u.node().path("spec").path("authentication").path("type").asText());
        assertEquals("sluice-cluster-ca-cert", kafkasql.path("tls").path("truststoreSecretName").asText());
        assertFalse(Manifests.baseOf("KafkaTopic").stream().noneMatch(t -> t.name().equals("kafkasql-journal")));
    }
}
