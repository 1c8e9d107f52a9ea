package dev.sluice.bench.overhead;

import dev.sluice.common.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Value sizes, bytes, of the records one request causes on each topic of the pipeline. */
public record RecordSizes(int request, int task, int plan, int output, int result) {
    public RecordSizes {
        if (request < 0 || task < 0 || plan < 0 || output < 0 || result < 0) {
            throw new IllegalArgumentException("sizes must be >= 0");
        }
    }

    /**
     * The median value size of the last {@code perTopic} records of each topic, as the pipeline
     * wrote them (Confluent wire format, Avro binary).
     */
    public static RecordSizes sample(KafkaSettings kafka, String requests, String tasks, String plans, String partials,
            String results, int perTopic) {
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return new RecordSizes(median(consumer, requests, perTopic), median(consumer, tasks, perTopic),
                    median(consumer, plans, perTopic), median(consumer, partials, perTopic),
                    median(consumer, results, perTopic));
        }
    }

    private static int median(KafkaConsumer<byte[], byte[]> consumer, String topic, int n) {
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
        long remaining = 0;
        for (TopicPartition tp : parts) {
            long end = ends.get(tp);
            long from = Math.max(0, end - n);
            consumer.seek(tp, from);
            remaining += end - from;
        }
        List<Integer> sizes = new ArrayList<>();
        long until = System.currentTimeMillis() + 10_000;
        boolean done = remaining == 0;
        while (!done && System.currentTimeMillis() < until) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.value() != null) {
                    sizes.add(r.value().length);
                }
            }
            // transaction markers take offsets too: done when every position reached its end
            done = true;
            for (TopicPartition tp : parts) {
                done &= consumer.position(tp) >= ends.get(tp);
            }
        }
        if (sizes.isEmpty()) {
            throw new IllegalStateException("no records on " + topic + " to measure");
        }
        return median(sizes.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The median (the lower middle value of an even count). */
    static int median(int[] values) {
        int[] s = values.clone();
        Arrays.sort(s);
        return s[(s.length - 1) / 2];
    }
}
