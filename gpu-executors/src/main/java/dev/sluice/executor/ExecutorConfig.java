package dev.sluice.executor;

import dev.sluice.common.DeliveryMode;
import dev.sluice.common.FailoverSettings;
import dev.sluice.executor.runtime.Device;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an executor process, one record.
 *
 * @param executorId this instance's id, stable across restarts and unique among the executors
 * @param statusInterval how often each variant publishes its status (the selectors' load view)
 * @param capacity bounds the tasks held in memory per variant: the consumer pauses its partitions
 *     when the batcher is full
 * @param commitInterval under exactly-once, outputs of several batches share one transaction
 *     committed this often (zero: one per batch)
 * @param failover group membership of each variant's task consumer (static under the executor id
 *     by default, so a replacement with the same id takes its partitions back at once), session
 *     timeout and cooperative assignment
 */
public record ExecutorConfig(String executorId, Device device, int intraOpThreads, DeliveryMode delivery,
        Duration statusInterval, int capacity, Duration commitInterval, FailoverSettings failover) {
    public ExecutorConfig {
        Objects.requireNonNull(executorId, "executorId");
        if (statusInterval.isNegative() || statusInterval.isZero()) {
            throw new IllegalArgumentException("statusInterval must be positive: " + statusInterval);
        }
        if (commitInterval.isNegative()) {
            throw new IllegalArgumentException("commitInterval must not be negative: " + commitInterval);
        }
        if (capacity < 1 || intraOpThreads < 1) {
            throw new IllegalArgumentException("capacity and intraOpThreads must be at least 1: " + capacity + ", "
                    + intraOpThreads);
        }
    }

    public static ExecutorConfig defaults(String executorId) {
        return new ExecutorConfig(executorId, Device.AUTO, 2, DeliveryMode.EXACTLY_ONCE_RESULTS, Duration.ofMillis(200), 512,
                Duration.ofMillis(20), FailoverSettings.defaults(executorId));
    }

    /** {@link #statusInterval} in milliseconds. */
    public long statusIntervalMs() {
        return statusInterval.toMillis();
    }

    /** {@link #commitInterval} in milliseconds. */
    public long commitIntervalMs() {
        return commitInterval.toMillis();
    }

    public ExecutorConfig withCommitInterval(Duration d) {
        return new ExecutorConfig(executorId, device, intraOpThreads, delivery, statusInterval, capacity, d, failover);
    }

    public ExecutorConfig withDelivery(DeliveryMode mode) {
        return new ExecutorConfig(executorId, device, intraOpThreads, mode, statusInterval, capacity, commitInterval, failover);
    }

    public ExecutorConfig withDevice(Device d) {
        return new ExecutorConfig(executorId, d, intraOpThreads, delivery, statusInterval, capacity, commitInterval, failover);
    }

    public ExecutorConfig withThreads(int n) {
        return new ExecutorConfig(executorId, device, n, delivery, statusInterval, capacity, commitInterval, failover);
    }

    public ExecutorConfig withFailover(FailoverSettings f) {
        return new ExecutorConfig(executorId, device, intraOpThreads, delivery, statusInterval, capacity, commitInterval, f);
    }
}
