package dev.sluice.common;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of one topic on a daemon thread, without a consumer group, and hands
 * each committed, non-null value to a callback. Undecodable records are logged and skipped.
 * Side channels (executor status, feedback) use it; they must never stop the component.
 */
public final class TopicFollower<V> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

    /** Where to start reading. */
    public enum Start { BEGINNING, END }

    private final KafkaConsumer<String, V> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    public TopicFollower(String threadName, KafkaSettings kafka, String topic, Deserializer<V> values, Start start,
            Consumer<V> onValue) {
        consumer = committedConsumer(kafka, topic, values, start);
        thread = new Thread(() -> run(onValue), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A consumer of every partition of {@code topic}, without a consumer group, that reads committed
     * records only, positioned at {@code start}: what a follower reads with, and what a caller that
     * polls itself (a test reading a topic back) needs too. The caller closes it.
     */
    public static <T> KafkaConsumer<String, T> committedConsumer(KafkaSettings kafka, String topic, Deserializer<T> values,
            Start start) {
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, ClientIds.of("reader-" + topic));
        KafkaConsumer<String, T> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values);
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        if (start == Start.BEGINNING) {
            consumer.seekToBeginning(parts);
        } else {
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolve the end now, not at the first poll
        }
        return consumer;
    }

    private void run(Consumer<V> onValue) {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.value() != null) {
                            onValue.accept(r.value());
                        }
                    }
                } catch (RecordDeserializationException e) {
                    log.warn("skipping unreadable record at {}-{}: {}", e.topicPartition(), e.offset(), e.getMessage());
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
