package dev.sluice.selector;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;

/** Follows the compacted executor-status topic from its start and feeds the live load view. */
public final class ExecutorStatusListener implements AutoCloseable {
    private final TopicFollower<ExecutorStatus> follower;

    public ExecutorStatusListener(KafkaSettings kafka, SluiceSerdes serdes, LiveLoadView view) {
        follower = new TopicFollower<>("selector-load-view", kafka, Topics.EXECUTOR_STATUS,
                serdes.<ExecutorStatus>deserializer(), TopicFollower.Start.BEGINNING, view::onStatus);
    }

    @Override
    public void close() {
        follower.close();
    }
}
