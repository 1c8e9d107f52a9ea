package dev.sluice.selector;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.decision.load.LoadView;
import dev.sluice.decision.load.LoadView.ReplicaStatus;
import dev.sluice.schemas.SluiceSerdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Follows the compacted executor-status topic from its start and feeds the selector's load view.
 *
 * <p>It also measures how stale the view's news is: {@code sluice.selector.status.age} (a timer)
 * is each status's age when the view applied it, from the executor's {@code updated_at_ms} (the
 * executor publishes a status as it takes it), so the Kafka hop from executor to selector under
 * the load of the moment. Statuses older than the view's stale limit on arrival (the topic's
 * history, read from its start, or a selector far behind) are counted in {@code
 * sluice.selector.status.stale.on.arrival} instead. Policies decide on this view; the simulator
 * delays its statuses by a hop drawn from the measured hop file.
 */
public final class ExecutorStatusListener implements AutoCloseable {
    private final TopicFollower<ExecutorStatus> follower;

    public ExecutorStatusListener(KafkaSettings kafka, SluiceSerdes serdes, LoadView view, MeterRegistry registry) {
        StatusAge age = new StatusAge(registry, view.staleAfterMs());
        follower = new TopicFollower<>("selector-load-view", kafka, kafka.topics().executorStatus(),
                serdes.<ExecutorStatus>deserializer(), TopicFollower.Start.BEGINNING, s -> {
                    age.record(s, System.currentTimeMillis());
                    view.onStatus(replicaStatus(s));
                });
    }

    /** One executor replica's status as the load view reads it: its live cost is batch latency over mean batch size. */
    static ReplicaStatus replicaStatus(ExecutorStatus s) {
        double msPerRequest = s.getMeanBatchSize() > 0 && s.getBatchLatencyMs() > 0 ? s.getBatchLatencyMs() / s.getMeanBatchSize() : 0;
        return new ReplicaStatus(s.getExecutorId(), s.getVariant(), s.getQueueDepth(), s.getThroughput(), msPerRequest,
                s.getAssignedPartitions(), s.getUpdatedAtMs());
    }

    /** The age meters: statuses applied within the stale limit by age, the rest counted. */
    static final class StatusAge {
        private final Timer age;
        private final Counter staleOnArrival;
        private final long staleAfterMs;

        StatusAge(MeterRegistry registry, long staleAfterMs) {
            this.staleAfterMs = staleAfterMs;
            this.age = Timer.builder("sluice.selector.status.age")
                    .description("an executor status's age when the selector's load view applied it (executor to selector)")
                    .register(registry);
            this.staleOnArrival = Counter.builder("sluice.selector.status.stale.on.arrival")
                    .description("executor statuses already older than the load view's stale limit when they arrived")
                    .register(registry);
        }

        void record(ExecutorStatus s, long nowMs) {
            long ageMs = Math.max(0, nowMs - s.getUpdatedAtMs()); // clocks of one host; across hosts, skew is clamped
            if (ageMs > staleAfterMs) {
                staleOnArrival.increment();
            } else {
                age.record(ageMs, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
