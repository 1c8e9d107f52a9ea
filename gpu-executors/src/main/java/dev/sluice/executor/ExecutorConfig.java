package dev.sluice.executor;

import dev.sluice.common.DeliveryMode;
import dev.sluice.common.FailoverSettings;
import dev.sluice.executor.runtime.Device;

/**
 * Settings of an executor process. {@code capacity} bounds the tasks held in memory per
 * variant: the consumer pauses its partitions when the batcher is full. {@code failover}: group
 * membership of each variant's task consumer (static under the executor id by default, so a
 * replacement with the same id takes its partitions back at once), session timeout and cooperative
 * assignment.
 */
public record ExecutorConfig(String executorId, Device device, int intraOpThreads, DeliveryMode delivery,
        long statusIntervalMs, int capacity, long commitIntervalMs, FailoverSettings failover) {
    public static ExecutorConfig defaults(String executorId) {
        return new ExecutorConfig(executorId, Device.AUTO, 2, DeliveryMode.EXACTLY_ONCE_RESULTS, 200, 512, 20);
    }

    public ExecutorConfig(String executorId, Device device, int intraOpThreads, DeliveryMode delivery, long statusIntervalMs,
            int capacity, long commitIntervalMs) {
        this(executorId, device, intraOpThreads, delivery, statusIntervalMs, capacity, commitIntervalMs,
                FailoverSettings.defaults(executorId));
    }

    public ExecutorConfig(String executorId, Device device, int intraOpThreads, DeliveryMode delivery, long statusIntervalMs,
            int capacity) {
        this(executorId, device, intraOpThreads, delivery, statusIntervalMs, capacity, 20);
    }

    /** Under exactly-once, outputs of several batches share one transaction committed this often. */
    public ExecutorConfig withCommitIntervalMs(long ms) {
        return new ExecutorConfig(executorId, device, intraOpThreads, delivery, statusIntervalMs, capacity, ms, failover);
    }

    public ExecutorConfig withDelivery(DeliveryMode mode) {
        return new ExecutorConfig(executorId, device, intraOpThreads, mode, statusIntervalMs, capacity, commitIntervalMs, failover);
    }

    public ExecutorConfig withDevice(Device d) {
        return new ExecutorConfig(executorId, d, intraOpThreads, delivery, statusIntervalMs, capacity, commitIntervalMs, failover);
    }

    public ExecutorConfig withThreads(int n) {
        return new ExecutorConfig(executorId, device, n, delivery, statusIntervalMs, capacity, commitIntervalMs, failover);
    }

    public ExecutorConfig withFailover(FailoverSettings f) {
        return new ExecutorConfig(executorId, device, intraOpThreads, delivery, statusIntervalMs, capacity, commitIntervalMs, f);
    }
}
