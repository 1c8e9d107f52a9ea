package dev.sluice.selector;

import dev.sluice.avro.InferenceResult;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;

/**
 * Feeds the final results on sluice.results to the selector's prediction cache: the answers of
 * the requests this selector sent to their members fill it. Every selector replica reads all of
 * it and keeps what concerns its own requests. Reads from the end, as {@link FeedbackListener}.
 */
public final class ResultsFollower implements AutoCloseable {
    private final TopicFollower<InferenceResult> follower;

    public ResultsFollower(KafkaSettings kafka, SluiceSerdes serdes, SelectorCache cache) {
        follower = new TopicFollower<>("selector-results", kafka, kafka.topics().results(), serdes.<InferenceResult>deserializer(),
                TopicFollower.Start.END, cache::onResult);
    }

    @Override
    public void close() {
        follower.close();
    }
}
