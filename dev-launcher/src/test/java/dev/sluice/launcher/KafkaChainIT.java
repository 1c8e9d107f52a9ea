package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.bench.overhead.KafkaChain;
import dev.sluice.bench.overhead.RecordSizes;
import dev.sluice.bench.overhead.Target;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The overhead benchmark's bare Kafka chain on a real broker: every request makes it through all three hops once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaChainIT {
    private static final RecordSizes SIZES = new RecordSizes(3200, 3150, 100, 120, 140);
    private static final int N = 300;
    private EmbeddedKafka broker;
    private KafkaSettings kafka;

    @BeforeAll
    void start() {
        broker = EmbeddedKafka.start();
        kafka = KafkaSettings.of(broker.bootstrap());
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void exactlyOnceMovesEachRequestThroughThreeTransactionalHopsOnce() throws Exception {
        KafkaChain.Topics topics = run(DeliveryMode.EXACTLY_ONCE, "eos");
        // committed records on each topic, with the sizes asked for
        assertEquals(Map.of(SIZES.task(), N), committedSizes(topics.tasks()));
        assertEquals(Map.of(SIZES.plan(), N), committedSizes(topics.plans()));
        assertEquals(Map.of(SIZES.output(), N), committedSizes(topics.partials()));
        assertEquals(Map.of(SIZES.result(), N), committedSizes(topics.results()));
    }

    @Test
    void atLeastOnceMovesEveryRequestToo() throws Exception {
        KafkaChain.Topics topics = run(DeliveryMode.AT_LEAST_ONCE, "alo");
        assertEquals(Map.of(SIZES.result(), N), committedSizes(topics.results()));
    }

    private KafkaChain.Topics run(DeliveryMode mode, String suffix) throws Exception {
        KafkaChain.Config config = KafkaChain.Config.of(mode, 20, 20, 8, SIZES, 2, "it-" + suffix + "-");
        try (KafkaChain chain = KafkaChain.start(kafka, config, suffix, Duration.ofSeconds(60))) {
            List<CompletableFuture<Target.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                replies.add(chain.send());
            }
            for (CompletableFuture<Target.Reply> f : replies) {
                Target.Reply r = f.get(60, TimeUnit.SECONDS);
                assertTrue(r.ok(), r.problem());
            }
            Thread.sleep(500); // a duplicate would come after the first answer
            assertEquals(0, chain.duplicates());
            assertEquals(N, chain.received());
            assertNull(chain.failure());
            return chain.topics();
        }
    }

    /** value size -> count of the committed records of {@code topic}. */
    private Map<Integer, Integer> committedSizes(String topic) {
        Map<Integer, Integer> sizes = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = TopicFollower.committedConsumer(kafka, topic,
                new ByteArrayDeserializer(), TopicFollower.Start.BEGINNING)) {
            List<TopicPartition> parts = List.copyOf(consumer.assignment());
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            long until = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < until && parts.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    sizes.merge(r.value().length, 1, Integer::sum);
                }
            }
        }
        return sizes;
    }
}
