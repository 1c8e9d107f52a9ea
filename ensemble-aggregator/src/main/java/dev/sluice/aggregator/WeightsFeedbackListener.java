package dev.sluice.aggregator;

import dev.sluice.avro.Feedback;
import dev.sluice.common.KafkaSettings;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
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

/** Updates the weighted voters' per-variant accuracy from ground truth on sluice.feedback (Cocktail). */
public final class WeightsFeedbackListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WeightsFeedbackListener.class);
    private final KafkaConsumer<String, Feedback> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    public WeightsFeedbackListener(KafkaSettings kafka, SluiceSerdes serdes, VariantWeights weights) {
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), serdes.<Feedback>deserializer());
        List<TopicPartition> parts = consumer.partitionsFor(Topics.FEEDBACK).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position);
        thread = new Thread(() -> run(weights), "aggregator-feedback");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(VariantWeights weights) {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, Feedback> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.value() != null) {
                            weights.onGroundTruth(r.value().getTrueLabel(), r.value().getVotes());
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
