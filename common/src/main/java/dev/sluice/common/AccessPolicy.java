package dev.sluice.common;

import dev.sluice.schemas.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on a Sluice cluster that authenticates its clients: one Kafka user per
 * component (least privilege, the same rules as the Strimzi KafkaUsers in {@code strimzi/base/users.yaml},
 * which a test in the strimzi module holds equal) and one per tenant.
 *
 * <p>Tenants are kept apart: a tenant may write one request topic, its own
 * ({@link Topics#tenantRequests}; the selector takes the tenant of what it reads there from the
 * topic, so a tenant cannot pass for another), and feedback, and read one topic, its own results
 * ({@link Topics#tenantResults}, written by the aggregator for the tenants it routes); the shared
 * sluice.requests and sluice.results are for Sluice's own components (the JSON bridge, the
 * gateway, the selector's prediction cache). Executors read their task topics, never requests or
 * results. Allow rules only: Kafka's authorizer denies whatever no rule allows.
 *
 * <p>One instance per deployment: its topic and group names come from {@link Topics} (a
 * deployment's prefixes); user names are the same in every deployment.
 */
public final class AccessPolicy {
    /** One allow rule: operations on the resources a name (literal or prefix) matches. */
    public record Rule(ResourceType type, String name, PatternType pattern, Set<AclOperation> operations) {
        public Rule {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(pattern, "pattern");
            operations = Set.copyOf(operations);
        }

        /** Kafka ACL bindings of this rule for {@code user}, any host. */
        public List<AclBinding> bindings(String user) {
            List<AclBinding> b = new ArrayList<>();
            for (AclOperation op : operations) {
                b.add(new AclBinding(new ResourcePattern(type, name, pattern),
                        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
            }
            return b;
        }
    }

    public static final String SELECTOR = "sluice-selector";
    public static final String AGGREGATOR = "sluice-aggregator";
    public static final String JSON_BRIDGE = "sluice-json-bridge";
    public static final String CATALOG_ADMIN = "sluice-catalog-admin";
    /** The embedded stack's executors: one user for every variant (on Kubernetes, one per executor group). */
    public static final String EXECUTOR = "sluice-executor";
    /** The OIP gateway reads every tenant's answers (it answers its HTTP and gRPC callers), as the bridge does. */
    public static final String GATEWAY = "sluice-gateway";
    /** Prefix of tenant users: {@code sluice-tenant-<tenant>}. */
    public static final String TENANT_USER_PREFIX = "sluice-tenant-";

    private static final Set<AclOperation> READ = EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE);
    private static final Set<AclOperation> WRITE = EnumSet.of(AclOperation.WRITE, AclOperation.DESCRIBE);

    private final Topics topics;

    /** The rules of the deployment that names its topics and groups with {@code topics}. */
    public AccessPolicy(Topics topics) {
        this.topics = Objects.requireNonNull(topics, "topics");
    }

    /** The rules of an unprefixed deployment. */
    public static AccessPolicy unprefixed() {
        return new AccessPolicy(Topics.DEFAULT);
    }

    public static String tenantUser(String tenant) {
        return TENANT_USER_PREFIX + Topics.checkTenant(tenant);
    }

    /**
     * Every user of a cluster serving {@code variants} with one executor user for them all, and
     * {@code tenants} each routed to its own result topic: user -> rules.
     */
    public Map<String, List<Rule>> users(Collection<String> variants, Collection<String> tenants) {
        Map<String, List<Rule>> m = new LinkedHashMap<>();
        m.put(SELECTOR, selector(tenants));
        m.put(AGGREGATOR, aggregator(tenants));
        m.put(JSON_BRIDGE, jsonBridge());
        m.put(EXECUTOR, executor(variants));
        m.put(CATALOG_ADMIN, catalogAdmin());
        m.put(GATEWAY, gateway());
        for (String t : tenants) {
            m.put(tenantUser(t), tenant(t));
        }
        return m;
    }

    /**
     * Kafka Streams app {@code sluice-selector} (EOS v2) plus its group-less followers of status,
     * results, feedback, catalog; reads sluice.requests and each tenant's request topic.
     */
    public List<Rule> selector(Collection<String> tenants) {
        List<Rule> r = new ArrayList<>();
        r.add(topic(topics.feedback(), READ));
        r.add(topic(topics.catalog(), READ));
        r.add(topic(topics.requests(), READ));
        for (String t : tenants) {
            r.add(topic(topics.tenantRequests(t), READ));
        }
        r.add(topic(topics.plans(), WRITE));
        r.add(prefix(ResourceType.TOPIC, topics.tasksPrefix(), WRITE));
        r.add(topic(topics.dlq(), WRITE));
        r.add(topic(topics.executorStatus(), READ));
        r.add(topic(topics.results(), READ));
        streamsApp(r, SELECTOR, true);
        return r;
    }

    /** Kafka Streams app {@code sluice-aggregator} (EOS v2); writes each routed tenant's result topic. */
    public List<Rule> aggregator(Collection<String> tenants) {
        List<Rule> r = new ArrayList<>();
        r.add(topic(topics.feedback(), READ));
        r.add(topic(topics.catalog(), READ));
        r.add(topic(topics.plans(), READ));
        r.add(topic(topics.partials(), READ));
        r.add(topic(topics.results(), WRITE));
        for (String t : tenants) {
            r.add(topic(topics.tenantResults(t), WRITE));
        }
        r.add(topic(topics.cancellations(), WRITE));
        r.add(topic(topics.dlq(), WRITE));
        streamsApp(r, AGGREGATOR, true);
        return r;
    }

    /**
     * Kafka Streams app {@code sluice-json-bridge}: exactly-once under the default delivery modes
     * (it writes the JSON clients' results), so with transactional ids {@code sluice-json-bridge...}.
     */
    public List<Rule> jsonBridge() {
        List<Rule> r = new ArrayList<>();
        r.add(topic(topics.requestsJson(), READ));
        r.add(topic(topics.results(), READ));
        r.add(topic(topics.requests(), WRITE));
        r.add(topic(topics.resultsJson(), WRITE));
        r.add(topic(topics.dlq(), WRITE));
        streamsApp(r, JSON_BRIDGE, true);
        return r;
    }

    /**
     * Executors of {@code variants}: per variant its task topic, its group {@code sluice-executor-<v>}
     * and transactional ids {@code sluice-executor-<v>-...}; outputs, status, dead letters, cascade
     * hand-offs to any task topic; the catalog and cancellations read. No request or result topic.
     */
    public List<Rule> executor(Collection<String> variants) {
        List<Rule> r = new ArrayList<>();
        r.add(topic(topics.catalog(), READ));
        for (String v : variants) {
            r.add(topic(topics.tasks(v), READ));
            r.add(new Rule(ResourceType.GROUP, topics.group("sluice-executor-" + v), PatternType.LITERAL, READ));
            r.add(prefix(ResourceType.TRANSACTIONAL_ID, topics.group("sluice-executor-" + v + "-"), WRITE));
        }
        r.add(topic(topics.partials(), WRITE));
        r.add(prefix(ResourceType.TOPIC, topics.tasksPrefix(), WRITE));
        r.add(topic(topics.dlq(), WRITE));
        r.add(topic(topics.executorStatus(), WRITE));
        r.add(topic(topics.cancellations(), READ));
        return r;
    }

    /** Publishes the live catalog ({@code sluice catalog publish|remove}). */
    public List<Rule> catalogAdmin() {
        return List.of(new Rule(ResourceType.TOPIC, topics.catalog(), PatternType.LITERAL,
                EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE)));
    }

    /**
     * The OIP gateway: a trusted front door that answers many callers, so it reads sluice.results;
     * it writes requests (no feedback: it has no endpoint for it). Also the user of {@code up}'s replay.
     */
    public List<Rule> gateway() {
        return List.of(topic(topics.requests(), WRITE), topic(topics.results(), READ));
    }

    /**
     * A tenant: writes its own request topic and feedback, reads its own result topic and nothing
     * else; may use consumer groups named {@code sluice-tenant-<tenant>-...}.
     */
    public List<Rule> tenant(String tenant) {
        return List.of(topic(topics.tenantRequests(tenant), WRITE), topic(topics.feedback(), WRITE),
                topic(topics.tenantResults(tenant), READ),
                prefix(ResourceType.GROUP, topics.group(tenantUser(tenant) + "-"), READ));
    }

    /** Every binding of {@code users}. */
    public static List<AclBinding> bindings(Map<String, List<Rule>> users) {
        List<AclBinding> b = new ArrayList<>();
        users.forEach((user, rules) -> rules.forEach(rule -> b.addAll(rule.bindings(user))));
        return b;
    }

    private void streamsApp(List<Rule> r, String user, boolean exactlyOnce) {
        String appId = topics.group(user);
        // internal topics (<application.id>-...-changelog/-repartition) are created and used by the app
        r.add(prefix(ResourceType.TOPIC, appId + "-", EnumSet.of(AclOperation.ALL)));
        r.add(new Rule(ResourceType.GROUP, appId, PatternType.LITERAL, READ));
        if (exactlyOnce) {
            r.add(prefix(ResourceType.TRANSACTIONAL_ID, appId, WRITE));
        }
    }

    private static Rule topic(String name, Set<AclOperation> ops) {
        return new Rule(ResourceType.TOPIC, name, PatternType.LITERAL, ops);
    }

    private static Rule prefix(ResourceType type, String name, Set<AclOperation> ops) {
        return new Rule(type, name, PatternType.PREFIXED, ops);
    }
}
