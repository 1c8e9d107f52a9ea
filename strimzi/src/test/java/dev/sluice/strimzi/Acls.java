package dev.sluice.strimzi;

import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleClusterResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.util.List;

/** Kafka's simple authorizer semantics over a KafkaUser's ACL rules (allow rules only, as Sluice uses). */
record Acls(String user, List<AclRule> rules) {
    enum Type { TOPIC, GROUP, TRANSACTIONAL_ID, CLUSTER }

    static Acls of(KafkaUser u) {
        var auth = (KafkaUserAuthorizationSimple) u.getSpec().getAuthorization();
        return new Acls(u.getMetadata().getName(), auth.getAcls());
    }

    boolean allows(Type type, String name, AclOperation op) {
        for (AclRule r : rules) {
            if (matches(r, type, name) && (r.getOperations().contains(op) || r.getOperations().contains(AclOperation.ALL))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(AclRule r, Type type, String name) {
        String rn;
        AclResourcePatternType pt;
        if (r.getResource() instanceof AclRuleTopicResource t && type == Type.TOPIC) {
            rn = t.getName();
            pt = t.getPatternType();
        } else if (r.getResource() instanceof AclRuleGroupResource g && type == Type.GROUP) {
            rn = g.getName();
            pt = g.getPatternType();
        } else if (r.getResource() instanceof AclRuleTransactionalIdResource x && type == Type.TRANSACTIONAL_ID) {
            rn = x.getName();
            pt = x.getPatternType();
        } else if (r.getResource() instanceof AclRuleClusterResource && type == Type.CLUSTER) {
            return true;
        } else {
            return false;
        }
        if ("*".equals(rn)) {
            return true;
        }
        return pt == AclResourcePatternType.PREFIX ? name.startsWith(rn) : name.equals(rn);
    }
}
