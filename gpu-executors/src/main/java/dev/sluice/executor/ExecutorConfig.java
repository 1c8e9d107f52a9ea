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
 *     committed this often; under at-least-once, outputs leave as each batch ends and the offsets
 *     they complete are set aside this often (zero: every loop turn) and committed once the broker
 *     has acknowledged those outputs
 * @param failover group membership of each variant's task consumer (static under the executor id
 *     by default, so a replacement with the same id takes its partitions back at once), session
 *     timeout and cooperative assignment
 * @param answerMargin the time an answer needs after its batch ends to reach the client (output
 *     hop, aggregation, result hop): a task that its batch plus this cannot bring in before its
 *     deadline is dropped instead of run (see {@code DeadlineBatcher.takeUnreachable})
 */
public record ExecutorConfig(String executorId, Device device, int intraOpThreads, DeliveryMode delivery,
        Duration statusInterval, int capacity, Duration commitInterval, FailoverSettings failover, Duration answerMargin) {
    /** The default answer margin ({@link dev.sluice.decision.batch.DeadlineBatcher#DEFAULT_ANSWER_MARGIN_MS}). */
    public static final Duration DEFAULT_ANSWER_MARGIN =
            Duration.ofMillis(dev.sluice.decision.batch.DeadlineBatcher.DEFAULT_ANSWER_MARGIN_MS);

    public ExecutorConfig {
        Objects.requireNonNull(executorId, "executorId");
        if (statusInterval.isNegative() || statusInterval.isZero()) {
            throw new IllegalArgumentException("statusInterval must be positive: " + statusInterval);
        }
        if (commitInterval.isNegative()) {
            throw new IllegalArgumentException("commitInterval must not be negative: " + commitInterval);
        }
        if (answerMargin.isNegative()) {
            throw new IllegalArgumentException("answerMargin must not be negative: " + answerMargin);
        }
        if (capacity < 1 || intraOpThreads < 1) {
            throw new IllegalArgumentException("capacity and intraOpThreads must be at least 1: " + capacity + ", "
                    + intraOpThreads);
        }
    }

    public static ExecutorConfig defaults(String executorId) {
        return new ExecutorConfig(executorId, Device.AUTO, 2, DeliveryMode.EXACTLY_ONCE_RESULTS, Duration.ofMillis(200), 512,
                Duration.ofMillis(20), FailoverSettings.defaults(executorId), DEFAULT_ANSWER_MARGIN);
    }

    /** {@link #statusInterval} in milliseconds. */
    public long statusIntervalMs() {
        return statusInterval.toMillis();
    }

    /** {@link #answerMargin} in milliseconds. */
    public long answerMarginMs() {
        return answerMargin.toMillis();
    }

    /** {@link #commitInterval} in milliseconds. */
    public long commitIntervalMs() {
        return commitInterval.toMillis();
    }

    public ExecutorConfig withCommitInterval(Duration d) {
        return new ExecutorConfig(executorId, device, intraOpThreads, delivery, statusInterval, capacity, d, failover, answerMargin);
    }

    public ExecutorConfig withDelivery(DeliveryMode mode) {
        return new ExecutorConfig(executorId, device, intraOpThreads, mode, statusInterval, capacity, commitInterval, failover, answerMargin);
    }

    public ExecutorConfig withDevice(Device d) {
        return new ExecutorConfig(executorId, d, intraOpThreads, delivery, statusInterval, capacity, commitInterval, failover, answerMargin);
    }

    public ExecutorConfig withThreads(int n) {
        return new ExecutorConfig(executorId, device, n, delivery, statusInterval, capacity, commitInterval, failover, answerMargin);
    }

    public ExecutorConfig withFailover(FailoverSettings f) {
        return new ExecutorConfig(executorId, device, intraOpThreads, delivery, statusInterval, capacity, commitInterval, f, answerMargin);
    }

    public ExecutorConfig withAnswerMargin(Duration d) {
        return new ExecutorConfig(executorId, device, intraOpThreads, delivery, statusInterval, capacity, commitInterval, failover, d);
    }
}
