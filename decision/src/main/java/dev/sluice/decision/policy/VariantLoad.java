package dev.sluice.decision.policy;

import java.util.Set;

/**
 * The live load of one variant across its executor replicas, as a policy needs it.
 *
 * <ul>
 *   <li>{@code replicaIds}: the replicas that reported within the staleness window (empty when none
 *       has yet: the variant is then treated as served by one replica).
 *   <li>{@code totalQueue}: tasks waiting at all replicas, counting those dispatched since each
 *       replica's last status (the backlog a policy that follows demand watches).
 *   <li>{@code queueAhead}: how many tasks a new task expects to wait behind. A task lands on one
 *       replica's partition, so this is the replicas' queues weighted by the share of the
 *       variant's partitions each one consumes, not their sum.
 *   <li>{@code throughputPerSec}: tasks completed per second, summed over replicas.
 *   <li>{@code msPerRequest}: what one request costs a replica now (its smoothed batch latency
 *       over its mean batch size, averaged over the replicas that report one; 0 before any has).
 *       On a shared CPU this is often well above the profile's figure: the Kafka clients and
 *       the other executors take cycles too.
 * </ul>
 */
public record VariantLoad(Set<String> replicaIds, long totalQueue, double queueAhead, double throughputPerSec,
                          double msPerRequest, long observedAtMs) {
    public static final VariantLoad IDLE = new VariantLoad(Set.of(), 0, 0, 0, 0, 0);

    /**
     * How long an executor that runs no batch keeps reporting its measured cost (ms). After that
     * its status carries none (batch latency 0), and the policies cost the variant by its profile
     * again: a variant measured slow once, under a burst or beside another policy's load, is not
     * priced out for good. Executors and the simulator's replicas both apply it.
     */
    public static final long MEASURED_COST_TTL_MS = 10_000;

    public VariantLoad {
        replicaIds = Set.copyOf(replicaIds);
    }

    /** One replica (or an unknown number, taken as one) with {@code queueDepth} tasks waiting. */
    public VariantLoad(long queueDepth, double throughputPerSec, long observedAtMs, double msPerRequest) {
        this(Set.of(), queueDepth, queueDepth, throughputPerSec, msPerRequest, observedAtMs);
    }

    public VariantLoad(long queueDepth, double throughputPerSec, long observedAtMs) {
        this(queueDepth, throughputPerSec, observedAtMs, 0);
    }

    /** Replicas that reported within the staleness window. */
    public int replicas() {
        return replicaIds.size();
    }

    /** Replicas to plan capacity with: the live ones, or one while none has reported. */
    public int servingReplicas() {
        return Math.max(1, replicaIds.size());
    }
}
