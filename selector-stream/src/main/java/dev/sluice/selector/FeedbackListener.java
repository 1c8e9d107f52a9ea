package dev.sluice.selector;

import dev.sluice.avro.Feedback;
import dev.sluice.avro.Vote;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.vote.Ballot;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds ground truth from sluice.feedback to the policy that served each request. Every selector
 * replica reads all of it; each policy keeps only what concerns its own decisions (a bandit
 * matches feedback to its draws by request id). Reads from the end: old feedback taught a previous run.
 */
public final class FeedbackListener implements AutoCloseable {
    private final TopicFollower<Feedback> follower;

    public FeedbackListener(KafkaSettings kafka, SluiceSerdes serdes, Policies policies) {
        follower = new TopicFollower<>("selector-feedback", kafka, kafka.topics().feedback(), serdes.<Feedback>deserializer(),
                TopicFollower.Start.END, f -> {
                    if (!policies.has(f.getPolicy())) {
                        return;
                    }
                    List<Ballot> votes = new ArrayList<>(f.getVotes().size());
                    for (Vote v : f.getVotes()) {
                        votes.add(new Ballot(v.getVariant(), v.getLabel(), v.getConfidence()));
                    }
                    policies.get(f.getPolicy()).onFeedback(f.getRequestId(), f.getTrueLabel(), votes, System.currentTimeMillis());
                });
    }

    @Override
    public void close() {
        follower.close();
    }
}
