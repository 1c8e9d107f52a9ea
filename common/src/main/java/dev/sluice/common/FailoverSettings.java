package dev.sluice.common;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How a component's consumer group membership reacts when a member dies, chosen so that a killed
 * component whose replacement starts within seconds serves again within seconds (measured in
 * docs/benchmarks/failover.md):
 *
 * <ul>
 *   <li><b>Static membership</b> ({@code group.instance.id} from {@link #instanceId}, the component's
 *       stable id: the pod name on Kubernetes, {@code --id} elsewhere). A replacement with the same id
 *       takes the dead member's partitions back at once, with no rebalance and no wait for the dead
 *       member's session to expire. A clean stop leaves the group all the same (every app closes
 *       with {@code LEAVE_GROUP}), so that partitions move at once when the id does not come back
 *       (a scale-down, a new pod name). Kafka Streams suffixes the id per stream thread. Null
 *       turns it off.
 *   <li><b>Session and heartbeat</b>: a member that dies and is not replaced loses its partitions
 *       after {@link #sessionTimeout} (Kafka's default is 45 s; with static membership that is also
 *       how long a member that never comes back holds them). 3 s by default: with two or more
 *       instances of a component, the survivors take a killed one's partitions 3 s after the kill,
 *       before a replacement has even started (a JVM start takes 4-10 s). Below Kafka's broker
 *       minimum ({@code group.min.session.timeout.ms}, 6 s unless lowered): Sluice's brokers (the
 *       embedded ones, the Strimzi cluster) lower it to 1 s, and a component on a broker that has
 *       not raises its session to the broker's minimum and says so ({@link #fitToBroker}).
 *       Heartbeats every {@link #heartbeatInterval} (1 s), so a member misses two before it is
 *       dropped and the others learn of a rebalance within a second.
 *   <li><b>Cooperative rebalancing</b>: Kafka Streams always rebalances cooperatively; the executors'
 *       plain consumers use the {@link CooperativeStickyAssignor}, so a member joining or leaving
 *       moves only the partitions that change owner and the others keep working through it.
 *   <li><b>Standby replicas</b> ({@link #standbyReplicas}, stateful Streams apps only: the
 *       aggregator): with two or more instances each keeps a warm copy of another's store, so the
 *       survivor takes over without replaying the changelog. {@link #acceptableRecoveryLag},
 *       {@link #maxWarmupReplicas} and {@link #probingRebalanceInterval} govern how a task moves back
 *       to a caught-up instance. 1,000 changelog records, not Kafka's 10,000: a killed aggregator's
 *       replacement restarts with its state wiped (exactly-once), and below 10,000 records of
 *       changelog it counted as caught up, got its tasks back at once and stalled them while it
 *       restored (measured: 10-28 s of late answers after the replacement rejoined; none with 1,000,
 *       where the survivor keeps them until the replacement has warmed up).
 *   <li><b>Transaction timeout</b> ({@link #transactionTimeout}, exactly-once producers): a killed
 *       producer's open transaction holds back every read-committed reader of its output topics
 *       until the broker aborts it, unless a replacement with the same transactional id fences it
 *       first (executors with the same {@code --id}; a Kafka Streams app restarted on the same state
 *       directory, where its process id is kept). The survivor that takes the partitions over has
 *       its own transactional id and cannot fence it, so this bounds failover: 3 s by default
 *       (Kafka Streams' is 10 s), with the broker checking for timed-out transactions every second
 *       ({@code transaction.abort.timed.out.transaction.cleanup.interval.ms}, 10 s by default, 1 s
 *       on Sluice's brokers). A transaction spans at most a commit interval plus one poll's work
 *       (an executor's batches: the heaviest profiled batch takes under 0.1 s), so 3 s leaves a wide
 *       margin; a transaction that outlives it is aborted and its producer fenced (a Kafka Streams
 *       app then rejoins its group; an executor's loop stops and the executor exits non-zero).
 * </ul>
 */
public record FailoverSettings(String instanceId, Duration sessionTimeout, Duration heartbeatInterval, int standbyReplicas,
        long acceptableRecoveryLag, int maxWarmupReplicas, Duration probingRebalanceInterval, Duration transactionTimeout) {

    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_STANDBY_REPLICAS = 1;
    public static final long DEFAULT_ACCEPTABLE_RECOVERY_LAG = 1_000;
    public static final int DEFAULT_MAX_WARMUP_REPLICAS = 2;
    public static final Duration DEFAULT_PROBING_REBALANCE_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofSeconds(3);

    public FailoverSettings {
        if (instanceId != null && instanceId.isBlank()) {
            instanceId = null;
        }
        if (heartbeatInterval.compareTo(sessionTimeout) >= 0) {
            throw new IllegalArgumentException("heartbeat interval " + heartbeatInterval.toMillis()
                    + " ms must be below the session timeout " + sessionTimeout.toMillis() + " ms");
        }
        if (standbyReplicas < 0 || maxWarmupReplicas < 1 || acceptableRecoveryLag < 0) {
            throw new IllegalArgumentException("standby replicas >= 0, warm-up replicas >= 1, recovery lag >= 0");
        }
    }

    /** Sluice's defaults, with static membership under {@code instanceId} (null: dynamic membership). */
    public static FailoverSettings defaults(String instanceId) {
        return new FailoverSettings(instanceId, DEFAULT_SESSION_TIMEOUT, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_STANDBY_REPLICAS,
                DEFAULT_ACCEPTABLE_RECOVERY_LAG, DEFAULT_MAX_WARMUP_REPLICAS, DEFAULT_PROBING_REBALANCE_INTERVAL,
                DEFAULT_TRANSACTION_TIMEOUT);
    }

    /** Kafka's own defaults (dynamic membership, 45 s sessions, 3 s heartbeats, no standby): the "before" of the benchmark. */
    public static FailoverSettings kafkaDefaults() {
        return new FailoverSettings(null, Duration.ofSeconds(45), Duration.ofSeconds(3), 0, 10_000, 2,
                Duration.ofMinutes(10), Duration.ofSeconds(10));
    }

    public FailoverSettings withInstanceId(String id) {
        return new FailoverSettings(id, sessionTimeout, heartbeatInterval, standbyReplicas, acceptableRecoveryLag,
                maxWarmupReplicas, probingRebalanceInterval, transactionTimeout);
    }

    public FailoverSettings withSessionTimeout(Duration session, Duration heartbeat) {
        return new FailoverSettings(instanceId, session, heartbeat, standbyReplicas, acceptableRecoveryLag,
                maxWarmupReplicas, probingRebalanceInterval, transactionTimeout);
    }

    /**
     * These settings on a broker whose {@code group.min.session.timeout.ms} is {@code brokerMinMs}:
     * a shorter session would be refused when the member joins, so it is raised to that minimum
     * (the heartbeat to a third of it at most). Unchanged when it already fits.
     */
    public FailoverSettings fitToBroker(long brokerMinMs) {
        if (sessionTimeout.toMillis() >= brokerMinMs) {
            return this;
        }
        Duration session = Duration.ofMillis(brokerMinMs);
        Duration heartbeat = heartbeatInterval.compareTo(session.dividedBy(3)) > 0 ? session.dividedBy(3) : heartbeatInterval;
        return withSessionTimeout(session, heartbeat);
    }

    public FailoverSettings withStandbyReplicas(int n) {
        return new FailoverSettings(instanceId, sessionTimeout, heartbeatInterval, n, acceptableRecoveryLag,
                maxWarmupReplicas, probingRebalanceInterval, transactionTimeout);
    }

    public FailoverSettings withTransactionTimeout(Duration d) {
        return new FailoverSettings(instanceId, sessionTimeout, heartbeatInterval, standbyReplicas, acceptableRecoveryLag,
                maxWarmupReplicas, probingRebalanceInterval, d);
    }

    public FailoverSettings withRecovery(long acceptableLag, int maxWarmups, Duration probingInterval) {
        return new FailoverSettings(instanceId, sessionTimeout, heartbeatInterval, standbyReplicas, acceptableLag,
                maxWarmups, probingInterval, transactionTimeout);
    }

    /**
     * Adds these settings to a Kafka Streams app's properties (values already there win, so a
     * caller's overrides stay). {@code stateful}: standby and warm-up settings apply.
     */
    public Properties applyToStreams(Properties p, boolean stateful) {
        if (instanceId != null) {
            p.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        }
        p.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) sessionTimeout.toMillis());
        p.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                (int) heartbeatInterval.toMillis());
        p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), (int) transactionTimeout.toMillis());
        if (stateful) {
            p.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
            p.putIfAbsent(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, acceptableRecoveryLag);
            p.putIfAbsent(StreamsConfig.MAX_WARMUP_REPLICAS_CONFIG, maxWarmupReplicas);
            p.putIfAbsent(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG, probingRebalanceInterval.toMillis());
        }
        return p;
    }

    /**
     * Adds these settings to a plain group consumer's and (when transactional) producer's configs:
     * static membership under {@code instanceId} (unique within the group), session and heartbeat,
     * cooperative-sticky assignment, and the transaction timeout.
     */
    public void applyToConsumer(Map<String, Object> consumer) {
        if (instanceId != null) {
            consumer.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        consumer.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        consumer.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) heartbeatInterval.toMillis());
        consumer.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    }

    public void applyToTransactionalProducer(Map<String, Object> producer) {
        producer.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
    }

    @Override
    public String toString() {
        return "failover{instance=" + (instanceId == null ? "dynamic" : instanceId) + ", session=" + sessionTimeout.toMillis()
                + "ms, heartbeat=" + heartbeatInterval.toMillis() + "ms, standby=" + standbyReplicas + ", txn-timeout="
                + transactionTimeout.toMillis() + "ms}";
    }
}
