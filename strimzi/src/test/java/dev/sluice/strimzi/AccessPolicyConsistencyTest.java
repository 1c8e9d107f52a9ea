package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.common.AccessPolicy;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The embedded secure mode ({@code sluice up --secure}, {@code sluice broker --secure}) creates
 * exactly the ACLs of the Strimzi KafkaUsers: {@link AccessPolicy}'s rules for each component
 * and tenant equal the user's rules in users.yaml (executors per Deployment group, with that
 * group's variants; the embedded stack has one executor user for every variant).
 */
class AccessPolicyConsistencyTest {
    /** The rules of {@code user} in users.yaml, one "type name pattern operation" a line. */
    private static Set<String> yaml(Acls acls) {
        Set<String> out = new TreeSet<>();
        for (AclRule r : acls.rules()) {
            String type;
            String name;
            String pattern;
            if (r.getResource() instanceof AclRuleTopicResource t) {
                type = "topic";
                name = t.getName();
                pattern = t.getPatternType().toValue();
            } else if (r.getResource() instanceof AclRuleGroupResource g) {
                type = "group";
                name = g.getName();
                pattern = g.getPatternType().toValue();
            } else if (r.getResource() instanceof AclRuleTransactionalIdResource x) {
                type = "transactionalid";
                name = x.getName();
                pattern = x.getPatternType().toValue();
            } else {
                type = "cluster";
                name = "";
                pattern = "literal";
            }
            for (var op : r.getOperations()) {
                out.add(type + " " + name + " " + pattern.toLowerCase(Locale.ROOT) + " " + op.toValue().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static Set<String> code(List<AccessPolicy.Rule> rules) {
        Set<String> out = new TreeSet<>();
        for (AccessPolicy.Rule r : rules) {
            String type = r.type().name().replace("_", "").toLowerCase(Locale.ROOT);
            String pattern = switch (r.pattern()) {
                case LITERAL -> "literal";
                case PREFIXED -> "prefix";
                default -> throw new IllegalArgumentException(r.toString());
            };
            for (var op : r.operations()) {
                out.add(type + " " + r.name() + " " + pattern + " " + op.name().replace("_", "").toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    @Test
    void theEmbeddedSecureModeGrantsWhatTheKafkaUsersGrant() throws IOException {
        Map<String, Acls> users = TopicAndAclConsistencyTest.users();
        List<String> tenants = TopicAndAclConsistencyTest.tenants();
        AccessPolicy policy = AccessPolicy.unprefixed();
        Map<String, List<AccessPolicy.Rule>> expected = new LinkedHashMap<>();
        expected.put(AccessPolicy.SELECTOR, policy.selector(tenants));
        expected.put(AccessPolicy.AGGREGATOR, policy.aggregator(tenants));
        expected.put(AccessPolicy.JSON_BRIDGE, policy.jsonBridge());
        expected.put(AccessPolicy.CATALOG_ADMIN, policy.catalogAdmin());
        for (String t : tenants) {
            expected.put(AccessPolicy.tenantUser(t), policy.tenant(t));
        }
        DeploymentConsistencyTest.executorVariantsByUser().forEach((user, variants) ->
                expected.put(user, policy.executor(variants)));
        if (users.containsKey(AccessPolicy.GATEWAY)) {
            expected.put(AccessPolicy.GATEWAY, policy.gateway());
        }
        for (var e : expected.entrySet()) {
            Acls acls = users.get(e.getKey());
            assertTrue(acls != null, "no KafkaUser " + e.getKey() + " in users.yaml");
            assertEquals(code(e.getValue()), yaml(acls), e.getKey() + ": users.yaml and AccessPolicy differ");
        }
        // every user of the embedded secure mode but its one executor user (Deployment groups on Kubernetes) is in users.yaml
        Set<String> embedded = new TreeSet<>(policy.users(List.of("linear"), tenants).keySet());
        embedded.remove(AccessPolicy.EXECUTOR);
        embedded.remove(AccessPolicy.GATEWAY);
        assertTrue(users.keySet().containsAll(embedded), "users.yaml lacks some of " + embedded);
    }
}
