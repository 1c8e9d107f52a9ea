package dev.sluice.strimzi;

import static dev.sluice.strimzi.Acls.Type.GROUP;
import static dev.sluice.strimzi.Acls.Type.TOPIC;
import static dev.sluice.strimzi.Acls.Type.TRANSACTIONAL_ID;
import static io.strimzi.api.kafka.model.user.acl.AclOperation.CREATE;
import static io.strimzi.api.kafka.model.user.acl.AclOperation.DESCRIBE;
import static io.strimzi.api.kafka.model.user.acl.AclOperation.READ;
import static io.strimzi.api.kafka.model.user.acl.AclOperation.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.common.AccessPolicy;
import dev.sluice.common.TopicLayout;
import dev.sluice.schemas.Topics;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserScramSha512ClientAuthentication;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleClusterResource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** KafkaTopics and KafkaUsers agree with the topics, groups and transactional ids the code uses. */
class TopicAndAclConsistencyTest {
    /** The partition count of the request path in topics.yaml. */
    static final int REQUEST_PATH_PARTITIONS = 12;

    static List<String> catalogVariants() throws IOException {
        JsonNode catalog = new YAMLMapper().readTree(Manifests.REPO.resolve("models/catalog.yaml").toFile());
        List<String> ids = new ArrayList<>();
        catalog.path("variants").forEach(v -> ids.add(v.path("id").asText()));
        assertFalse(ids.isEmpty(), "no variants in models/catalog.yaml");
        return ids;
    }

    static Map<String, KafkaTopic> topics() {
        Map<String, KafkaTopic> m = new HashMap<>();
        for (var d : Manifests.baseOf("KafkaTopic")) {
            KafkaTopic t = Manifests.parse(d, KafkaTopic.class);
            String name = t.getSpec().getTopicName() != null ? t.getSpec().getTopicName() : t.getMetadata().getName();
            assertEquals(null, m.put(name, t), "two KafkaTopics for " + name);
        }
        return m;
    }

    static Map<String, Acls> users() {
        Map<String, Acls> m = new HashMap<>();
        for (var d : Manifests.baseOf("KafkaUser")) {
            KafkaUser u = Manifests.parse(d, KafkaUser.class);
            m.put(u.getMetadata().getName(), Acls.of(u));
        }
        return m;
    }

    /** The tenants: the KafkaUsers named sluice-tenant-<tenant>. */
    static List<String> tenants() {
        return users().keySet().stream().filter(u -> u.startsWith(AccessPolicy.TENANT_USER_PREFIX))
                .map(u -> u.substring(AccessPolicy.TENANT_USER_PREFIX.length())).sorted().toList();
    }

    @Test
    void everyTopicOfTheLayoutHasAKafkaTopicAndNoSluiceTopicIsExtra() throws IOException {
        List<String> variants = catalogVariants();
        Map<String, KafkaTopic> topics = topics();
        TopicLayout layout = new TopicLayout(REQUEST_PATH_PARTITIONS, (short) 3, variants).withTenants(tenants());
        Set<String> expected = new TreeSet<>();
        for (NewTopic nt : layout.topics()) {
            expected.add(nt.name());
            KafkaTopic t = topics.get(nt.name());
            assertNotNull(t, "no KafkaTopic for " + nt.name());
            assertEquals(3, t.getSpec().getReplicas(), nt.name() + " replicas");
            assertNotNull(t.getSpec().getConfig().get("max.message.bytes"), nt.name() + " sets max.message.bytes");
            String policy = nt.configs() == null ? null : nt.configs().get("cleanup.policy");
            assertEquals(policy == null ? "delete" : policy, t.getSpec().getConfig().get("cleanup.policy"), nt.name() + " cleanup.policy");
            if ("compact".equals(policy)) {
                assertEquals(nt.numPartitions(), t.getSpec().getPartitions(), nt.name() + " partitions");
            } else {
                assertNotNull(t.getSpec().getConfig().get("retention.ms"), nt.name() + " sets retention.ms");
            }
        }
        // the constants the code names, for every catalog variant
        for (String name : List.of(Topics.DEFAULT.requests(), Topics.DEFAULT.requestsJson(), Topics.DEFAULT.plans(), Topics.DEFAULT.partials(), Topics.DEFAULT.results(),
                Topics.DEFAULT.resultsJson(), Topics.DEFAULT.executorStatus(), Topics.DEFAULT.catalog(), Topics.DEFAULT.feedback(), Topics.DEFAULT.dlq())) {
            assertTrue(expected.contains(name), name + " is in Topics but not in TopicLayout");
        }
        variants.forEach(v -> assertTrue(expected.contains(Topics.DEFAULT.tasks(v))));
        Set<String> declared = new TreeSet<>(topics.keySet());
        declared.removeIf(n -> !n.startsWith("sluice."));
        assertEquals(expected, declared, "KafkaTopics named sluice.* must be exactly the layout's topics");
    }

    @Test
    void theRequestPathSharesOnePartitionCount() throws IOException {
        Map<String, KafkaTopic> topics = topics();
        List<String> path = new ArrayList<>(List.of(Topics.DEFAULT.requests(), Topics.DEFAULT.requestsJson(), Topics.DEFAULT.plans(), Topics.DEFAULT.partials(),
                Topics.DEFAULT.results(), Topics.DEFAULT.resultsJson(), Topics.DEFAULT.feedback()));
        catalogVariants().forEach(v -> path.add(Topics.DEFAULT.tasks(v)));
        tenants().forEach(t -> path.add(Topics.DEFAULT.tenantResults(t)));
        tenants().forEach(t -> path.add(Topics.DEFAULT.tenantRequests(t)));
        for (String name : path) {
            assertEquals(REQUEST_PATH_PARTITIONS, topics.get(name).getSpec().getPartitions(), name + " partitions");
        }
    }

    /** What a component does to a resource, as its code does it. */
    record Use(String user, Acls.Type type, String name, AclOperation... ops) {}

    /**
     * The table of what each component's code touches. Sources:
     * selector: selector-stream SelectorApp (application.id sluice-selector, EOS v2 by default),
     *   SelectorTopology (reads REQUESTS; writes PLANS, tasks(variant), DLQ), ExecutorStatusListener
     *   (assign + seekToBeginning on EXECUTOR_STATUS, no group);
     * aggregator: ensemble-aggregator AggregatorApp/AggregatorTopology (application.id sluice-aggregator;
     *   reads PLANS, PARTIALS; writes RESULTS; DLQ via errors.dead.letter.queue.topic.name; changelogged stores);
     * bridge: ingest JsonBridgeApp/JsonBridgeTopology (application.id sluice-json-bridge, EOS v2 by default;
     *   reads REQUESTS_JSON, RESULTS; writes REQUESTS, RESULTS_JSON, DLQ);
     * executors: gpu-executors VariantExecutor (group sluice-executor-<variant>, transactional.id
     *   sluice-executor-<variant>-<executorId>; reads tasks(variant); writes PARTIALS, DLQ, EXECUTOR_STATUS,
     *   and tasks(next stage) when a cascade escalates);
     * gateway: gateway GatewayServer's SluiceClient (client.id sluice-gateway-*; idempotent producer to REQUESTS;
     *   RESULTS assigned and read from the end, no group, no transactions);
     * keda: its kafka scaler describes the executor groups' offsets and the task topics;
     * selector, aggregator, executors: LiveCatalog follows CATALOG (assign, no group); catalog-admin: CatalogPublisher.
     */
    static List<Use> uses(List<String> variants, Map<String, List<String>> executorGroups) {
        List<Use> u = new ArrayList<>();
        String s = "sluice-selector";
        u.add(new Use(s, TOPIC, Topics.DEFAULT.requests(), READ, DESCRIBE));
        tenants().forEach(t -> u.add(new Use(s, TOPIC, Topics.DEFAULT.tenantRequests(t), READ, DESCRIBE))); // its pattern source
        u.add(new Use(s, TOPIC, Topics.DEFAULT.plans(), WRITE, DESCRIBE));
        variants.forEach(v -> u.add(new Use(s, TOPIC, Topics.DEFAULT.tasks(v), WRITE, DESCRIBE)));
        u.add(new Use(s, TOPIC, Topics.DEFAULT.dlq(), WRITE, DESCRIBE));
        u.add(new Use(s, TOPIC, Topics.DEFAULT.executorStatus(), READ, DESCRIBE));
        u.add(new Use(s, TOPIC, Topics.DEFAULT.catalog(), READ, DESCRIBE));
        u.add(new Use(s, TOPIC, Topics.DEFAULT.results(), READ, DESCRIBE)); // ResultsFollower: fills the prediction cache
        u.add(new Use(s, TOPIC, Topics.DEFAULT.feedback(), READ, DESCRIBE)); // FeedbackListener: the learning policies' ground truth
        streamsApp(u, s, s, true);
        String a = "sluice-aggregator";
        u.add(new Use(a, TOPIC, Topics.DEFAULT.plans(), READ, DESCRIBE));
        u.add(new Use(a, TOPIC, Topics.DEFAULT.partials(), READ, DESCRIBE));
        u.add(new Use(a, TOPIC, Topics.DEFAULT.results(), WRITE, DESCRIBE));
        tenants().forEach(t -> u.add(new Use(a, TOPIC, Topics.DEFAULT.tenantResults(t), WRITE, DESCRIBE))); // --tenant-results
        u.add(new Use(a, TOPIC, Topics.DEFAULT.feedback(), READ, DESCRIBE)); // WeightsFeedbackListener: voting weights
        u.add(new Use(a, TOPIC, Topics.DEFAULT.dlq(), WRITE, DESCRIBE));
        u.add(new Use(a, TOPIC, Topics.DEFAULT.catalog(), READ, DESCRIBE));
        streamsApp(u, a, a, true);
        String b = "sluice-json-bridge";
        u.add(new Use(b, TOPIC, Topics.DEFAULT.requestsJson(), READ, DESCRIBE));
        u.add(new Use(b, TOPIC, Topics.DEFAULT.results(), READ, DESCRIBE));
        u.add(new Use(b, TOPIC, Topics.DEFAULT.requests(), WRITE, DESCRIBE));
        u.add(new Use(b, TOPIC, Topics.DEFAULT.resultsJson(), WRITE, DESCRIBE));
        u.add(new Use(b, TOPIC, Topics.DEFAULT.dlq(), WRITE, DESCRIBE));
        streamsApp(u, b, b, true);
        String g = "sluice-gateway";
        u.add(new Use(g, TOPIC, Topics.DEFAULT.requests(), WRITE, DESCRIBE));
        u.add(new Use(g, TOPIC, Topics.DEFAULT.results(), READ, DESCRIBE));
        executorGroups.forEach((user, vs) -> {
            for (String v : vs) {
                u.add(new Use(user, TOPIC, Topics.DEFAULT.tasks(v), READ, DESCRIBE));
                u.add(new Use(user, GROUP, "sluice-executor-" + v, READ, DESCRIBE));
                u.add(new Use(user, TRANSACTIONAL_ID, "sluice-executor-" + v + "-sluice-executor-x-5d9c7b-abcde", WRITE, DESCRIBE));
                u.add(new Use("sluice-keda", TOPIC, Topics.DEFAULT.tasks(v), DESCRIBE));
                u.add(new Use("sluice-keda", GROUP, "sluice-executor-" + v, DESCRIBE));
            }
            u.add(new Use(user, TOPIC, Topics.DEFAULT.partials(), WRITE, DESCRIBE));
            // cascade escalation: the next stage's task, whichever variant that is
            variants.forEach(next -> u.add(new Use(user, TOPIC, Topics.DEFAULT.tasks(next), WRITE, DESCRIBE)));
            u.add(new Use(user, TOPIC, Topics.DEFAULT.dlq(), WRITE, DESCRIBE));
            u.add(new Use(user, TOPIC, Topics.DEFAULT.executorStatus(), WRITE, DESCRIBE));
            u.add(new Use(user, TOPIC, Topics.DEFAULT.catalog(), READ, DESCRIBE));
        });
        // tenants: SluiceClient.connectAsTenant (assign, no group) or their own consumer groups
        for (String t : tenants()) {
            String user = AccessPolicy.tenantUser(t);
            u.add(new Use(user, TOPIC, Topics.DEFAULT.tenantRequests(t), WRITE, DESCRIBE));
            u.add(new Use(user, TOPIC, Topics.DEFAULT.feedback(), WRITE, DESCRIBE));
            u.add(new Use(user, TOPIC, Topics.DEFAULT.tenantResults(t), READ, DESCRIBE));
            u.add(new Use(user, GROUP, user + "-dashboard", READ, DESCRIBE));
        }
        // catalog publish and remove (CatalogPublisher reads the topic to write only what changed)
        u.add(new Use("sluice-catalog-admin", TOPIC, Topics.DEFAULT.catalog(), READ, WRITE, DESCRIBE));
        return u;
    }

    private static void streamsApp(List<Use> u, String user, String appId, boolean exactlyOnce) {
        u.add(new Use(user, GROUP, appId, READ, DESCRIBE));
        u.add(new Use(user, TOPIC, appId + "-pending-store-changelog", CREATE, READ, WRITE, DESCRIBE));
        u.add(new Use(user, TOPIC, appId + "-KSTREAM-REPARTITION-0000000003-repartition", CREATE, READ, WRITE, DESCRIBE));
        if (exactlyOnce) {
            u.add(new Use(user, TRANSACTIONAL_ID, appId + "-6f1c2a3e-0000-4000-8000-000000000000-1", WRITE, DESCRIBE));
        }
    }

    @Test
    void everyUserMayDoWhatItsComponentDoes() throws IOException {
        Map<String, Acls> users = users();
        Map<String, List<String>> groups = DeploymentConsistencyTest.executorVariantsByUser();
        for (Use use : uses(catalogVariants(), groups)) {
            Acls acls = users.get(use.user());
            assertNotNull(acls, "no KafkaUser " + use.user());
            for (AclOperation op : use.ops()) {
                assertTrue(acls.allows(use.type(), use.name(), op), use.user() + " may not " + op + " " + use.type() + " " + use.name());
            }
        }
    }

    @Test
    void usersHaveNoMoreThanTheyNeed() throws IOException {
        Map<String, Acls> users = users();
        for (Acls a : users.values()) {
            for (AclRule r : a.rules()) {
                assertFalse(r.getResource() instanceof AclRuleClusterResource, a.user() + " has a cluster ACL");
            }
            if (!a.user().equals("sluice-registry")) {
                // All only on the Streams app's own internal-topic prefix
                assertFalse(a.allows(TOPIC, "sluice.requests", AclOperation.ALL) || a.allows(TOPIC, "sluice.anything", WRITE)
                        && a.allows(TOPIC, "sluice.anything", READ), a.user() + " has blanket rights on sluice.*");
                assertFalse(a.allows(TOPIC, "__consumer_offsets", READ), a.user());
                assertFalse(a.allows(GROUP, "someone-else", READ), a.user() + " may join any group");
            }
        }
        Map<String, List<String>> groups = DeploymentConsistencyTest.executorVariantsByUser();
        for (var e : groups.entrySet()) {
            Acls a = users.get(e.getKey());
            for (String v : catalogVariants()) {
                if (!e.getValue().contains(v)) {
                    assertFalse(a.allows(TOPIC, Topics.DEFAULT.tasks(v), READ), e.getKey() + " may read tasks of " + v);
                }
            }
            assertFalse(a.allows(TOPIC, Topics.DEFAULT.requests(), READ), e.getKey());
            assertFalse(a.allows(TOPIC, Topics.DEFAULT.results(), WRITE), e.getKey());
        }
        assertFalse(users.get("sluice-keda").allows(TOPIC, Topics.DEFAULT.tasks("linear"), READ), "KEDA only describes");
        // tenants kept apart: a tenant reads its own answers and nothing else
        List<String> tenants = tenants();
        assertTrue(tenants.size() >= 2, "at least two example tenants");
        for (String t : tenants) {
            Acls a = users.get(AccessPolicy.tenantUser(t));
            for (String other : tenants) {
                if (!other.equals(t)) {
                    assertFalse(a.allows(TOPIC, Topics.DEFAULT.tenantResults(other), READ), t + " may read " + other + "'s answers");
                    assertFalse(a.allows(TOPIC, Topics.DEFAULT.tenantResults(other), WRITE), t + " may write " + other + "'s answers");
                    assertFalse(a.allows(GROUP, AccessPolicy.tenantUser(other) + "-x", READ), t + " may join " + other + "'s groups");
                    assertFalse(a.allows(TOPIC, Topics.DEFAULT.tenantRequests(other), WRITE), t + " may send " + other + "'s requests");
                }
            }
            for (String shared : List.of(Topics.DEFAULT.results(), Topics.DEFAULT.resultsJson(), Topics.DEFAULT.requests(), Topics.DEFAULT.plans(), Topics.DEFAULT.partials(),
                    Topics.DEFAULT.dlq(), Topics.DEFAULT.feedback(), Topics.DEFAULT.tasks("linear"))) {
                assertFalse(a.allows(TOPIC, shared, READ), t + " may read " + shared);
            }
            assertFalse(a.allows(TOPIC, Topics.DEFAULT.requests(), WRITE), t + " may write requests naming any tenant");
            assertFalse(a.allows(TOPIC, Topics.DEFAULT.requestsJson(), WRITE), t + " may write JSON requests naming any tenant");
        }
        // no one but Sluice's own readers of every answer (selector's cache, the bridge, the gateway) reads sluice.results
        for (Acls a : users.values()) {
            if (a.allows(TOPIC, Topics.DEFAULT.results(), READ)) {
                assertTrue(Set.of(AccessPolicy.SELECTOR, AccessPolicy.JSON_BRIDGE, AccessPolicy.GATEWAY).contains(a.user()),
                        a.user() + " reads every tenant's answers");
            }
        }
        assertTrue(users.get("sluice-json-bridge").allows(TRANSACTIONAL_ID, "sluice-json-bridge-x", WRITE),
                "the bridge writes JSON results exactly-once");
        assertFalse(users.get("sluice-json-bridge").allows(TRANSACTIONAL_ID, "sluice-aggregator-x", WRITE),
                "with its own transactional ids only");
        Acls gateway = users.get("sluice-gateway");
        assertFalse(gateway.allows(TOPIC, Topics.DEFAULT.results(), WRITE) || gateway.allows(TOPIC, Topics.DEFAULT.requests(), READ),
                "the gateway only sends requests and reads results");
        assertFalse(gateway.allows(GROUP, "sluice-gateway", READ), "the gateway joins no consumer group");
    }

    @Test
    void componentUsersAuthenticateWithScram() {
        for (var d : Manifests.baseOf("KafkaUser")) {
            KafkaUser u = Manifests.parse(d, KafkaUser.class);
            if (!u.getMetadata().getName().equals("sluice-registry")) {
                assertTrue(u.getSpec().getAuthentication() instanceof KafkaUserScramSha512ClientAuthentication, d.toString());
            }
        }
    }
}
