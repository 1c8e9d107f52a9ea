package dev.sluice.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster of one or more KRaft nodes (each a combined broker and controller) inside
 * this JVM, on fixed ports and a persistent data directory, so that it can be stopped and started
 * again on the same data, and so that components in other processes can reach it: what
 * {@code sluice broker} runs. (The tests' {@link EmbeddedKafka} is a throw-away single node on an
 * ephemeral port.)
 *
 * <p>Node {@code i} serves clients on {@code port + i} and its controller on
 * {@code port + nodes + i}. With three or more nodes, topics and the internal topics are
 * replicated three times with {@code min.insync.replicas} 2, so one node may be down without
 * losing a write; with fewer, once.
 *
 * <p>One node per process ({@link #startNode(Options, int)}): each process runs node {@code i} of
 * the same {@code nodes}, {@code port} and {@code dataDir}, so that one node can be killed with
 * SIGKILL and started again as a broker of a real cluster would be. The processes agree on the
 * cluster id without talking: it is derived from the port and node count (a node formatted before
 * keeps its own).
 *
 * <p>Secure ({@link Options#secure}): clients must authenticate with SCRAM-SHA-512 over
 * SASL_PLAINTEXT and Kafka's {@code StandardAuthorizer} allows only what ACLs allow; the super
 * user {@value #ADMIN_USER}, whose password the options carry, is bootstrapped into the metadata
 * when a node is formatted and is what the nodes use among themselves (their controller listener
 * authenticates with SASL PLAIN, also as that user). Create other users and their ACLs through
 * {@link #admin()}. Plaintext and TLS-free: for one machine and tests, as the embedded broker is.
 */
public final class StandaloneKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandaloneKafka.class);

    /** The super user of a secure cluster. */
    public static final String ADMIN_USER = "admin";
    public static final String SCRAM_MECHANISM = dev.sluice.common.ScramUsers.MECHANISM;

    /**
     * @param nodes KRaft nodes, each broker and controller
     * @param port first client port (0: pick free ports now, kept across restarts of this object)
     * @param dataDir where each node keeps its log in {@code node-<i>}; formatted on first use,
     *     reused after
     * @param host the host name clients are told to connect to
     * @param adminPassword null: no authentication, no authorization (PLAINTEXT); else the secure
     *     mode, with this password for {@value #ADMIN_USER} (letters and digits only; on a data
     *     directory formatted before, it must be the password it was formatted with)
     */
    public record Options(int nodes, int port, Path dataDir, String host, String adminPassword) {
        public Options {
            if (nodes < 1) {
                throw new IllegalArgumentException("nodes must be >= 1");
            }
            if (port < 0 || port + 2 * nodes > 65536) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            Objects.requireNonNull(dataDir, "dataDir");
            host = host == null || host.isBlank() ? "localhost" : host;
            if (adminPassword != null && !adminPassword.matches("[A-Za-z0-9]{8,}")) {
                throw new IllegalArgumentException("the admin password must be 8 or more letters and digits");
            }
        }

        public Options(int nodes, int port, Path dataDir, String host) {
            this(nodes, port, dataDir, host, null);
        }

        public Options(int nodes, int port, Path dataDir) {
            this(nodes, port, dataDir, "localhost");
        }

        /** The same cluster with SCRAM authentication and ACLs, {@value #ADMIN_USER} having {@code adminPassword}. */
        public Options secure(String password) {
            return new Options(nodes, port, dataDir, host, password);
        }

        public boolean isSecure() {
            return adminPassword != null;
        }

        /** Without the password. */
        @Override
        public String toString() {
            return "Options[nodes=" + nodes + ", port=" + port + ", dataDir=" + dataDir + ", host=" + host + ", secure="
                    + isSecure() + "]";
        }

        /** Replication factor of topics and internal topics: 3 with three or more nodes, else the node count. */
        public short replication() {
            return (short) Math.min(3, nodes);
        }

        public int minInsyncReplicas() {
            return nodes >= 3 ? 2 : 1;
        }
    }

    private final Options options;
    private final int[] brokerPorts;
    private final int[] controllerPorts;
    private final KafkaRaftServer[] servers;
    /** The nodes this object runs: all of them, or one (one node per process). */
    private final List<Integer> own;

    private StandaloneKafka(Options options, int[] brokerPorts, int[] controllerPorts, List<Integer> own) {
        this.options = options;
        this.brokerPorts = brokerPorts;
        this.controllerPorts = controllerPorts;
        this.servers = new KafkaRaftServer[options.nodes()];
        this.own = own;
    }

    /** Formats what is new, starts every node and waits until all brokers are registered. */
    public static StandaloneKafka start(Options o) {
        return start(o, java.util.stream.IntStream.range(0, o.nodes()).boxed().toList());
    }

    /**
     * Formats and starts node {@code node} only, and waits until all {@code o.nodes()} brokers are
     * registered (so the other nodes' processes must start too; a node started again after a kill
     * finds them running). The port must be fixed: every process computes every node's ports from it.
     */
    public static StandaloneKafka startNode(Options o, int node) {
        if (node < 0 || node >= o.nodes()) {
            throw new IllegalArgumentException("node " + node + " is not one of the " + o.nodes() + " nodes (0 to "
                    + (o.nodes() - 1) + ")");
        }
        if (o.port() == 0) {
            throw new IllegalArgumentException("one node per process needs a fixed port: the nodes find each other by it");
        }
        return start(o, List.of(node));
    }

    private static StandaloneKafka start(Options o, List<Integer> own) {
        int n = o.nodes();
        int[] brokers = new int[n];
        int[] controllers = new int[n];
        for (int i = 0; i < n; i++) {
            brokers[i] = o.port() == 0 ? freePort() : o.port() + i;
            controllers[i] = o.port() == 0 ? freePort() : o.port() + n + i;
        }
        StandaloneKafka k = new StandaloneKafka(o, brokers, controllers, own);
        long t0 = System.nanoTime();
        try {
            k.format();
            k.startAll();
            k.awaitBrokers(n, 120_000);
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
        log.info("Kafka ready at {} ({} node{}{}, data in {}) in {} ms", k.bootstrap(), n, n == 1 ? "" : "s",
                own.size() == n ? "" : ", this process runs node " + own.get(0), o.dataDir(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return k;
    }

    public Options options() {
        return options;
    }

    /** Every node's client address, comma-separated. */
    public String bootstrap() {
        List<String> b = new ArrayList<>();
        for (int p : brokerPorts) {
            b.add(options.host() + ":" + p);
        }
        return String.join(",", b);
    }

    /** An admin client; on a secure cluster, as the super user. */
    public Admin admin() {
        return Admin.create(clientConfig(ADMIN_USER, options.adminPassword()));
    }

    /** Client properties for {@code user}: bootstrap.servers, and on a secure cluster SASL/SCRAM as that user. */
    public Map<String, Object> clientConfig(String user, String password) {
        Map<String, Object> m = new java.util.HashMap<>();
        m.put("bootstrap.servers", bootstrap());
        if (options.isSecure()) {
            m.putAll(dev.sluice.common.ScramUsers.clientProperties(user, password));
        }
        return m;
    }

    private static String jaas(String module, String user, String password, String more) {
        return module + " required username=\"" + user + "\" password=\"" + password + "\"" + more + ";";
    }

    /** Whether node {@code i} runs. */
    public synchronized boolean running(int i) {
        return servers[i] != null;
    }

    /** Stops node {@code i} (a controlled shutdown: leadership moves, the log is flushed); its data stays. */
    public void stopNode(int i) {
        KafkaRaftServer s;
        synchronized (this) {
            s = servers[i];
            if (s == null) {
                return;
            }
            servers[i] = null;
        }
        long t0 = System.nanoTime();
        s.shutdown();
        s.awaitShutdown();
        log.info("node {} stopped in {} ms", i, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Starts node {@code i} again on its data and ports (returns once it has started; with several nodes, once a quorum runs). */
    public void startNode(int i) {
        synchronized (this) {
            if (servers[i] != null) {
                return;
            }
        }
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(nodeProperties(i), false), Time.SYSTEM);
        s.startup();
        synchronized (this) {
            servers[i] = s;
        }
    }

    /**
     * Starts every stopped node (of those this object runs) again on its data and ports and waits
     * until all brokers are registered: the cluster comes back as it was (topics, committed
     * offsets, transactions).
     */
    public void restart() {
        startAll();
        awaitBrokers(options.nodes(), 120_000);
        log.info("Kafka back at {}", bootstrap());
    }

    /** Starts every node at once: a node's start waits for a quorum of controllers, so one at a time would never finish. */
    private void startAll() {
        List<Thread> starting = new ArrayList<>();
        List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int node : own) {
            Thread t = new Thread(() -> {
                try {
                    startNode(node);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }, "kafka-start-" + node);
            t.start();
            starting.add(t);
        }
        for (Thread t : starting) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting Kafka");
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cannot start Kafka: " + failures.get(0).getMessage(), failures.get(0));
        }
    }

    /** Waits until {@code count} brokers are registered and reachable. */
    public void awaitBrokers(int count, long timeoutMs) {
        long until = System.currentTimeMillis() + timeoutMs;
        Exception last = null;
        while (System.currentTimeMillis() < until) {
            try (Admin admin = admin()) {
                int seen = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
                if (seen >= count) {
                    return;
                }
                last = new IllegalStateException(seen + " of " + count + " brokers registered");
            } catch (Exception e) {
                last = e;
            }
            sleep(200);
        }
        throw new IllegalStateException("Kafka not ready within " + timeoutMs + " ms at " + bootstrap() + ": " + last, last);
    }

    private Properties nodeProperties(int i) {
        int n = options.nodes();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(i));
        String voters = java.util.stream.IntStream.range(0, n).mapToObj(j -> j + "@localhost:" + controllerPorts[j])
                .collect(Collectors.joining(","));
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", "CONTROLLER");
        if (options.isSecure()) {
            String pw = options.adminPassword();
            p.put("listeners", "CLIENT://:" + brokerPorts[i] + ",CONTROLLER://localhost:" + controllerPorts[i]);
            p.put("advertised.listeners", "CLIENT://" + options.host() + ":" + brokerPorts[i]);
            p.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
            p.put("inter.broker.listener.name", "CLIENT");
            p.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
            p.put("listener.name.client.sasl.enabled.mechanisms", SCRAM_MECHANISM);
            p.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                    jaas("org.apache.kafka.common.security.scram.ScramLoginModule", ADMIN_USER, pw, ""));
            // SCRAM credentials live in the metadata the controllers serve, so the controllers authenticate with PLAIN
            p.put("sasl.mechanism.controller.protocol", "PLAIN");
            p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
            p.put("listener.name.controller.plain.sasl.jaas.config", jaas("org.apache.kafka.common.security.plain.PlainLoginModule",
                    ADMIN_USER, pw, " user_" + ADMIN_USER + "=\"" + pw + "\""));
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.put("super.users", "User:" + ADMIN_USER);
            p.put("allow.everyone.if.no.acl.found", "false");
        } else {
            p.put("listeners", "PLAINTEXT://:" + brokerPorts[i] + ",CONTROLLER://localhost:" + controllerPorts[i]);
            p.put("advertised.listeners", "PLAINTEXT://" + options.host() + ":" + brokerPorts[i]);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("inter.broker.listener.name", "PLAINTEXT");
        }
        p.put("log.dirs", nodeDir(i).toString());
        String rf = Short.toString(options.replication());
        String isr = Integer.toString(options.minInsyncReplicas());
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", isr);
        p.put("offsets.topic.replication.factor", rf);
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", isr);
        p.put("transaction.state.log.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // the JSON bridge forwards up to its producer's 1 MiB; the broker takes more, so a client's
        // oversized JSON request reaches the bridge, which answers it INVALID naming the limit
        p.put("message.max.bytes", Integer.toString(8 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", Integer.toString(8 * 1024 * 1024));
        // a dead producer's transaction is aborted within a second of its timeout (default: up to 10 s
        // later), so read-committed readers are not held back longer than the producer's timeout
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        // components ask for 3 s sessions (FailoverSettings) so that survivors take a dead member's
        // partitions within seconds; Kafka's default minimum (6 s) would refuse them
        p.put("group.min.session.timeout.ms", "1000");
        // a killed node is fenced (its partitions get new leaders, it leaves their in-sync
        // replicas) when its broker session expires: 3 s instead of Kafka's 9 s
        p.put("broker.session.timeout.ms", "3000");
        // transactions v2: a produce that starts a transaction while the previous one's markers are
        // still being written waits on the broker up to this long instead of 100 ms; past it the
        // producer gets CONCURRENT_TRANSACTIONS and backs off up to a second, and an exactly-once
        // app committing every 20 ms falls ever further behind (measured on a 3-node cluster)
        p.put("add.partitions.to.txn.retry.backoff.max.ms", "2000");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("num.partitions", "1");
        return p;
    }

    private Path nodeDir(int i) {
        return options.dataDir().resolve("node-" + i);
    }

    /**
     * Formats each own node directory not formatted yet, with the cluster id of any that is; a new
     * cluster run one node per process gets an id derived from its port and size, the same in
     * every process.
     */
    private void format() {
        String clusterId = existingClusterId();
        if (clusterId == null) {
            clusterId = own.size() == options.nodes() ? Uuid.randomUuid().toString() : derivedClusterId(options);
        }
        for (int i : own) {
            Path dir = nodeDir(i);
            try {
                Files.createDirectories(dir);
                Formatter f = new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream())).setNodeId(i)
                        .setClusterId(clusterId).addDirectory(dir.toString()).setMetadataLogDirectory(dir.toString())
                        .setReleaseVersion(MetadataVersion.IBP_4_3_IV0).setControllerListenerName("CONTROLLER")
                        .setIgnoreFormatted(true);
                if (options.isSecure()) { // the super user's SCRAM credential, in the bootstrap metadata
                    f.setScramArguments(List.of(SCRAM_MECHANISM + "=[name=" + ADMIN_USER + ",password=" + options.adminPassword() + "]"));
                }
                f.run();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dir, e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot format " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    static String derivedClusterId(Options o) {
        java.util.UUID u = java.util.UUID.nameUUIDFromBytes(("sluice-kraft:" + o.port() + ":" + o.nodes())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Uuid(u.getMostSignificantBits(), u.getLeastSignificantBits()).toString();
    }

    private String existingClusterId() {
        for (int i = 0; i < options.nodes(); i++) {
            Path meta = nodeDir(i).resolve("meta.properties");
            if (Files.isRegularFile(meta)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(meta)) {
                    p.load(r);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + meta, e);
                }
                String id = p.getProperty("cluster.id");
                if (id != null) {
                    return id;
                }
            }
        }
        return null;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /**
     * Stops every node at once; the data stays. (One at a time, the last ones would wait for a
     * controller quorum that the first ones took away.)
     */
    @Override
    public void close() {
        stop();
    }

    /** As {@link #close}, after which {@link #restart} brings the same cluster back. */
    public void stop() {
        List<Thread> stopping = new ArrayList<>();
        for (int i = 0; i < servers.length; i++) {
            int node = i;
            Thread t = new Thread(() -> {
                try {
                    stopNode(node);
                } catch (RuntimeException e) {
                    log.warn("node {} did not stop cleanly: {}", node, e.toString());
                }
            }, "kafka-stop-" + i);
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join(120_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
