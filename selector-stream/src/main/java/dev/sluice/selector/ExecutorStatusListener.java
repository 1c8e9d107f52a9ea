package dev.sluice.selector;

import dev.sluice.avro.ExecutorStatus;
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

/** Follows the compacted executor-status topic from its start and feeds the live load view. */
public final class ExecutorStatusListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecutorStatusListener.class);
    private final KafkaConsumer<String, ExecutorStatus> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    public ExecutorStatusListener(KafkaSettings kafka, SluiceSerdes serdes, LiveLoadView view) {
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), serdes.<ExecutorStatus>deserializer());
        List<TopicPartition> parts = consumer.partitionsFor(Topics.EXECUTOR_STATUS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(() -> run(view), "selector-load-view");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(LiveLoadView view) {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, ExecutorStatus> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.value() != null) {
                            view.onStatus(r.value());
                        }
                    }
                } catch (RecordDeserializationException e) {
                    log.warn("skipping unreadable executor status at {}-{}: {}", e.topicPartition(), e.offset(), e.getMessage());
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
