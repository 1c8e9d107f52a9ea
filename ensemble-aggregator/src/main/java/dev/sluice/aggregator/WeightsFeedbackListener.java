package dev.sluice.aggregator;

import dev.sluice.avro.Feedback;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.decision.vote.VariantWeights;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;

/** Updates the weighted voters' per-variant accuracy from ground truth on sluice.feedback (Cocktail). */
public final class WeightsFeedbackListener implements AutoCloseable {
    private final TopicFollower<Feedback> follower;

    public WeightsFeedbackListener(KafkaSettings kafka, SluiceSerdes serdes, VariantWeights weights) {
        follower = new TopicFollower<>("aggregator-feedback", kafka, kafka.topics().feedback(), serdes.<Feedback>deserializer(),
                TopicFollower.Start.END, f -> weights.onGroundTruth(f.getTrueLabel(), DecisionValues.ballots(f.getVotes())));
    }

    @Override
    public void close() {
        follower.close();
    }
}
