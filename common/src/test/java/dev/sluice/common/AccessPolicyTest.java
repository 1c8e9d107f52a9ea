package dev.sluice.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.schemas.Topics;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private static Set<String> topics(List<AccessPolicy.Rule> rules, AclOperation op) {
        return rules.stream().filter(r -> r.type() == ResourceType.TOPIC && r.operations().contains(op))
                .map(r -> r.name() + (r.pattern() == PatternType.PREFIXED ? "*" : "")).collect(Collectors.toSet());
    }

    @Test
    void aTenantWritesItsOwnRequestsAndFeedbackAndReadsItsOwnResultsOnly() {
        List<AccessPolicy.Rule> acme = AccessPolicy.unprefixed().tenant("acme");
        assertEquals(Set.of("sluice.requests.acme", "sluice.feedback"), topics(acme, AclOperation.WRITE));
        assertEquals(Set.of("sluice.results.acme"), topics(acme, AclOperation.READ));
        assertTrue(acme.stream().anyMatch(r -> r.type() == ResourceType.GROUP && r.name().equals("sluice-tenant-acme-")
                && r.pattern() == PatternType.PREFIXED));
    }

    @Test
    void executorsReadTheirTasksAndNeverRequestsOrResults() {
        List<AccessPolicy.Rule> ex = AccessPolicy.unprefixed().executor(List.of("linear", "vgg"));
        Set<String> reads = topics(ex, AclOperation.READ);
        assertEquals(Set.of("sluice.tasks.linear", "sluice.tasks.vgg", "sluice.catalog", "sluice.cancellations"), reads);
        assertFalse(topics(ex, AclOperation.WRITE).contains("sluice.results"));
    }

    @Test
    void aPrefixedDeploymentsRulesNameItsOwnTopicsGroupsAndTransactionalIds() {
        AccessPolicy p = new AccessPolicy(Topics.prefixed("team-b-", "team-b-"));
        var users = p.users(List.of("linear"), List.of("acme"));
        for (var e : users.entrySet()) {
            for (AccessPolicy.Rule r : e.getValue()) {
                assertTrue(r.name().startsWith("team-b-"), e.getKey() + ": " + r);
            }
        }
        assertTrue(topics(users.get(AccessPolicy.SELECTOR), AclOperation.READ).contains("team-b-sluice.requests.acme"));
        assertTrue(topics(users.get(AccessPolicy.AGGREGATOR), AclOperation.WRITE).contains("team-b-sluice.results.acme"));
    }

    @Test
    void bindingsAllowEachOperationForTheUserFromAnyHost() {
        List<AclBinding> b = AccessPolicy.bindings(java.util.Map.of("sluice-tenant-acme", AccessPolicy.unprefixed().tenant("acme")));
        assertEquals(2 + 2 + 2 + 2, b.size(), "Write+Describe, Write+Describe, Read+Describe, Read+Describe");
        assertTrue(b.stream().allMatch(x -> x.entry().principal().equals("User:sluice-tenant-acme") && x.entry().host().equals("*")));
    }
}
