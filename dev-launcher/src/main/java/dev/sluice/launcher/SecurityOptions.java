package dev.sluice.launcher;

import dev.sluice.common.AccessPolicy;
import dev.sluice.common.ScramUsers;
import dev.sluice.embedded.StandaloneKafka;
import dev.sluice.schemas.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/** {@code --secure} and the tenants of {@code up} and {@code broker}: SCRAM users, ACLs, per-tenant result topics. */
final class SecurityOptions {
    @Option(names = "--secure",
            description = "clients must log in (SCRAM-SHA-512 over SASL_PLAINTEXT) and may do only what their ACLs allow: "
                    + "one Kafka user per component and per tenant, with the rules of the Strimzi KafkaUsers; each "
                    + "tenant writes only its own sluice.requests.<tenant> and reads only its own sluice.results.<tenant>; "
                    + "executors cannot read requests. "
                    + "Passwords and one --kafka-config file per user go to --credentials-dir")
    boolean secure;

    @Option(names = "--tenant", paramLabel = "NAME", split = ",",
            description = "a tenant (a-z, 0-9, _): its own request topic sluice.requests.<NAME> (the selector takes the "
                    + "tenant of what it reads there from the topic) and result topic sluice.results.<NAME> (the aggregator "
                    + "also writes the tenant's answers there), and with --secure a Kafka user sluice-tenant-<NAME> that may "
                    + "write only that request topic and feedback and read only that result topic; repeatable or "
                    + "comma-separated")
    List<String> tenants = new ArrayList<>();

    @Option(names = "--credentials-dir", paramLabel = "DIR",
            description = "with --secure: where the users' passwords (passwords.properties) and client files "
                    + "(<user>.properties, for --kafka-config) are kept and reused (default: broker: <data-dir>/clients; "
                    + "up: a new temporary directory)")
    Path credentialsDir;

    void check(OptionChecks c) {
        for (String t : tenants) {
            c.require(Topics.TENANT_NAME.matcher(t).matches() && !t.equals("json"), "--tenant", t,
                    "1-48 of a-z, 0-9 and _, starting with a letter or digit, not 'json'");
        }
    }

    Set<String> tenantSet() {
        return new TreeSet<>(tenants);
    }

    /** The super user and every user of {@code tenants} and the components, kept in {@code dir}. */
    static ScramUsers credentials(Path dir, Set<String> tenants) {
        List<String> users = new ArrayList<>();
        users.add(StandaloneKafka.ADMIN_USER);
        users.addAll(AccessPolicy.unprefixed().users(List.of(), tenants).keySet());
        return ScramUsers.loadOrCreate(dir, users);
    }

    /** Where each user's --kafka-config file is, for the start-up message. */
    static String clientFiles(Path dir, ScramUsers users) {
        StringBuilder b = new StringBuilder();
        for (String u : users.passwords().keySet()) {
            b.append(String.format("  %-24s --kafka-config %s%n", u, dir.resolve(u + ".properties")));
        }
        return b.toString();
    }
}
