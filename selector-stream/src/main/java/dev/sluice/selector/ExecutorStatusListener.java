package dev.sluice.selector;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.decision.load.LoadView;
import dev.sluice.decision.load.LoadView.ReplicaStatus;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;

/** Follows the compacted executor-status topic from its start and feeds the selector's load view. */
public final class ExecutorStatusListener implements AutoCloseable {
    private final TopicFollower<ExecutorStatus> follower;

    public ExecutorStatusListener(KafkaSettings kafka, SluiceSerdes serdes, LoadView view) {
        follower = new TopicFollower<>("selector-load-view", kafka, kafka.topics().executorStatus(),
                serdes.<ExecutorStatus>deserializer(), TopicFollower.Start.BEGINNING, s -> view.onStatus(replicaStatus(s)));
    }

    /** One executor replica's status as the load view reads it: its live cost is batch latency over mean batch size. */
    static ReplicaStatus replicaStatus(ExecutorStatus s) {
        double msPerRequest = s.getMeanBatchSize() > 0 && s.getBatchLatencyMs() > 0 ? s.getBatchLatencyMs() / s.getMeanBatchSize() : 0;
        return new ReplicaStatus(s.getExecutorId(), s.getVariant(), s.getQueueDepth(), s.getThroughput(), msPerRequest,
                s.getAssignedPartitions(), s.getUpdatedAtMs());
    }

    @Override
    public void close() {
        follower.close();
    }
}
