package dev.sluice.launcher;

import dev.sluice.common.AccessPolicy;
import dev.sluice.common.ScramUsers;
import dev.sluice.common.TopicLayout;
import dev.sluice.embedded.StandaloneKafka;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.schemas.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The in-JVM KRaft broker alone, for components run as their own processes. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run Kafka alone (KRaft, in this JVM) on fixed ports and a persistent data directory, create the "
                + "Sluice topics, print the bootstrap address and serve until Ctrl-C, so that the bridge, selector, "
                + "aggregator and executors can run as separate processes against it. Started again on the same "
                + "--data-dir it keeps every topic, offset and transaction.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9092",
            description = "client port of the first node; node i listens on PORT+i and its controller on PORT+NODES+i; "
                    + "0 picks free ports (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", defaultValue = "sluice-kafka-data",
            description = "where the nodes keep their logs (node-0, node-1, ...); formatted on first use, reused after "
                    + "(default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--nodes", defaultValue = "1",
            description = "KRaft nodes (each broker and controller); with 3 or more, topics are replicated 3 times with "
                    + "min.insync.replicas 2 (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--node",
            description = "run only node I (0 to NODES-1) of the --nodes cluster in this process: start one process per node, "
                    + "each with the same --nodes, --port and --data-dir, so that one node can be killed and restarted "
                    + "alone; node 0 creates the topics (default: every node in this process)")
    Integer node;

    @Option(names = "--host", defaultValue = "localhost",
            description = "host name advertised to clients (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "create the Sluice topics that are missing, with a task topic per catalog variant "
                    + "(default: ${DEFAULT-VALUE})")
    boolean topics;

    @Option(names = "--partitions", defaultValue = "4", description = "partitions of the request-path topics (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--catalog", defaultValue = Catalog.DEFAULT_FILE,
            description = "catalog whose variants get task topics (default: ${DEFAULT-VALUE})")
    Path catalog;

    @Option(names = "--prefix",
            description = "create the topics of the deployment with this topic prefix (its components run with the same "
                    + "--prefix); repeat for several deployments on this broker (default: one deployment, no prefix)")
    List<String> prefixes;

    @Mixin
    SecurityOptions security;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OptionChecks checks = new OptionChecks(spec);
        security.check(checks);
        checks.require(!security.secure || prefixes == null || prefixes.size() <= 1, "--prefix", prefixes,
                "given once at most with --secure (the Kafka users are the same in every deployment)");
        checks.require(node == null || (node >= 0 && node < nodes), "--node", node, "one of 0 to --nodes minus 1");
        checks.require(node == null || port > 0, "--port", port, "fixed (not 0) when each node runs in its own process");
        checks.require(node == null || !security.secure, "--secure", true,
                "left out with --node: the nodes of a secure cluster run in one process");
        StandaloneKafka.Options o = new StandaloneKafka.Options(nodes, port, dataDir.toAbsolutePath(), host);
        Path credentialsDir = security.credentialsDir != null ? security.credentialsDir.toAbsolutePath()
                : o.dataDir().resolve("clients");
        ScramUsers users = null;
        if (security.secure) {
            if (java.nio.file.Files.isDirectory(o.dataDir().resolve("node-0"))
                    && !java.nio.file.Files.isRegularFile(credentialsDir.resolve(ScramUsers.PASSWORDS_FILE))) {
                throw new IllegalStateException(o.dataDir() + " was formatted without --secure (no " + credentialsDir.resolve(
                        ScramUsers.PASSWORDS_FILE) + "): its super user has no credential; use a new --data-dir");
            }
            users = SecurityOptions.credentials(credentialsDir, security.tenantSet());
            o = o.secure(users.passwords().get(StandaloneKafka.ADMIN_USER));
        }
        List<String> variants = Catalog.load(catalog).variants().stream().map(Variant::id).toList();
        try (StandaloneKafka kafka = node == null ? StandaloneKafka.start(o) : StandaloneKafka.startNode(o, node)) {
            if (topics && (node == null || node == 0)) {
                try (Admin admin = kafka.admin()) {
                    for (String prefix : prefixes == null ? List.of("") : prefixes) {
                        new TopicLayout(partitions, o.replication(), variants, Topics.prefixed(prefix, prefix))
                                .withTenants(security.tenantSet()).create(admin);
                    }
                }
            }
            if (users != null) {
                try (Admin admin = kafka.admin()) {
                    AccessPolicy policy = new AccessPolicy(prefixes == null ? Topics.DEFAULT : Topics.prefixed(prefixes.get(0), prefixes.get(0)));
                    users.provision(admin, kafka.bootstrap(), policy.users(variants, security.tenantSet()));
                }
            }
            System.out.printf("Kafka running: %s%d KRaft node%s, replication %d, data in %s%s%n",
                    node == null ? "" : "node " + node + " of ", nodes, nodes == 1 ? "" : "s",
                    o.replication(), o.dataDir(), users == null ? "" : ", SCRAM logins and ACLs (--secure)");
            System.out.println("bootstrap: " + kafka.bootstrap());
            if (users != null) {
                System.out.println("Kafka users (each component and tenant as its own; " + StandaloneKafka.ADMIN_USER
                        + " is the super user):");
                System.out.print(SecurityOptions.clientFiles(credentialsDir, users));
            }
            String login = users == null ? "" : " --kafka-config " + credentialsDir.resolve(AccessPolicy.AGGREGATOR + ".properties");
            String routed = security.tenants.isEmpty() ? "" : " --tenant-results " + String.join(",", security.tenantSet());
            System.out.println("e.g. ./sluice aggregator --bootstrap " + kafka.bootstrap() + login + routed + " --id aggregator-0 "
                    + "--state-dir state/aggregator-0 --metrics-port 9401");
            System.out.println("Ctrl-C stops (the data stays in " + o.dataDir() + ").");
            System.out.flush();
            Shutdown.await(() -> System.out.println("stopping Kafka"));
        }
        return 0;
    }
}
