package dev.sluice.selector;

import dev.sluice.avro.Feedback;
import dev.sluice.avro.Vote;
import dev.sluice.common.KafkaSettings;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import dev.sluice.selector.policy.Policies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds ground truth from sluice.feedback to the policy that served each request (a bandit
 * learns from its own draws only). Reads from the end: old feedback taught a previous run.
 */
public final class FeedbackListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FeedbackListener.class);
    private final KafkaConsumer<String, Feedback> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    public FeedbackListener(KafkaSettings kafka, SluiceSerdes serdes, Policies policies) {
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), serdes.<Feedback>deserializer());
        List<TopicPartition> parts = consumer.partitionsFor(Topics.FEEDBACK).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position);
        thread = new Thread(() -> run(policies), "selector-feedback");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Policies policies) {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, Feedback> r : consumer.poll(Duration.ofMillis(200))) {
                        Feedback f = r.value();
                        if (f == null || !policies.has(f.getPolicy())) {
                            continue;
                        }
                        for (Vote v : f.getVotes()) {
                            policies.get(f.getPolicy()).onFeedback(v.getVariant(), v.getLabel() == f.getTrueLabel(),
                                    System.currentTimeMillis());
                        }
                    }
                } catch (RecordDeserializationException e) {
                    log.warn("skipping unreadable feedback at {}-{}: {}", e.topicPartition(), e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
