package dev.sluice.launcher;

import dev.sluice.common.FailoverSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Group membership options of a standalone component (see {@link FailoverSettings} for why each
 * default). The instance id comes from the component's {@code --id}.
 */
final class FailoverOptions {
    @Option(names = "--static-membership", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "join the consumer group as a static member under --id, so a replacement with the same id takes "
                    + "the partitions back at once, without a rebalance (default: ${DEFAULT-VALUE})")
    boolean staticMembership;

    @Option(names = "--session-timeout-ms", defaultValue = "3000",
            description = "how long a member that stopped heartbeating keeps its partitions before the group moves them "
                    + "(Kafka's default is 45000); raised to the broker's group.min.session.timeout.ms when that is higher "
                    + "(Kafka's default minimum is 6000; Sluice's brokers lower it to 1000) (default: ${DEFAULT-VALUE})")
    long sessionTimeoutMs;

    @Option(names = "--heartbeat-interval-ms", defaultValue = "1000",
            description = "consumer heartbeat interval, below a third of the session timeout (default: ${DEFAULT-VALUE})")
    long heartbeatIntervalMs;

    @Option(names = "--standby-replicas", defaultValue = "1",
            description = "aggregator: warm copies of each store kept on other instances, so the survivor takes over "
                    + "without replaying the changelog (useful with two or more instances) (default: ${DEFAULT-VALUE})")
    int standbyReplicas;

    @Option(names = "--acceptable-recovery-lag", defaultValue = "" + FailoverSettings.DEFAULT_ACCEPTABLE_RECOVERY_LAG,
            description = "aggregator: changelog records an instance may lag and still be given a task at once "
                    + "(default: ${DEFAULT-VALUE})")
    long acceptableRecoveryLag;

    @Option(names = "--transaction-timeout-ms", defaultValue = "3000",
            description = "exactly-once producers: how long the broker lets a dead producer's transaction hold back "
                    + "read-committed readers when no replacement fences it (default: ${DEFAULT-VALUE})")
    long transactionTimeoutMs;

    /**
     * The settings for this component, fitted to the cluster: a session timeout below the broker's
     * {@code group.min.session.timeout.ms} (as the start-up probe read it) would be refused at
     * join, so it is raised to it, with a notice saying how to get the shorter one.
     */
    FailoverSettings settings(String instanceId, java.util.OptionalLong brokerMinSessionMs) {
        FailoverSettings asked = settings(instanceId);
        java.util.OptionalLong min = brokerMinSessionMs;
        if (min.isEmpty()) {
            return asked;
        }
        FailoverSettings fitted = asked.fitToBroker(min.getAsLong());
        if (!fitted.equals(asked)) {
            System.err.printf("note: session timeout %d ms instead of %d ms: the broker's group.min.session.timeout.ms is %d "
                    + "(a killed member's partitions move after the session timeout; lower the broker's minimum for faster "
                    + "failover)%n", fitted.sessionTimeout().toMillis(), asked.sessionTimeout().toMillis(), min.getAsLong());
        }
        return fitted;
    }

    FailoverSettings settings(String instanceId) {
        return FailoverSettings.defaults(staticMembership ? instanceId : null)
                .withSessionTimeout(Duration.ofMillis(sessionTimeoutMs), Duration.ofMillis(heartbeatIntervalMs))
                .withStandbyReplicas(standbyReplicas)
                .withRecovery(acceptableRecoveryLag, FailoverSettings.DEFAULT_MAX_WARMUP_REPLICAS,
                        FailoverSettings.DEFAULT_PROBING_REBALANCE_INTERVAL)
                .withTransactionTimeout(Duration.ofMillis(transactionTimeoutMs));
    }
}
