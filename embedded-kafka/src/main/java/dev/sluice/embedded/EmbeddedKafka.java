package dev.sluice.embedded;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) inside this JVM, on an
 * ephemeral loopback port. Used by {@code sluice up} and by the integration tests.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start() {
        long t0 = System.nanoTime();
        try {
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                    // the release's production metadata version (the kit defaults to the newest, unreleased one);
                    // Strimzi 1.2 runs Kafka 4.3.1 at 4.3-IV0 too
                    .setBootstrapMetadataVersion(MetadataVersion.IBP_4_3_IV0).build())
                    // one broker: internal topics must fit on it, or groups and transactions stall
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // as StandaloneKafka: Sluice's 3 s sessions and 3 s transaction timeouts
                    .setConfigProp("group.min.session.timeout.ms", "1000")
                    .setConfigProp("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
                    .setConfigProp("add.partitions.to.txn.retry.backoff.max.ms", "2000")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setConfigProp("message.max.bytes", String.valueOf(8 * 1024 * 1024))
                    .setConfigProp("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE))
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafka k = new EmbeddedKafka(cluster);
            k.warmUp();
            log.info("embedded Kafka ready at {} in {} ms", k.bootstrap(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return k;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    public String bootstrap() {
        return cluster.bootstrapServers();
    }

    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrap()));
    }

    /** A produce and a group consume, so the group coordinator is up before the first real client. */
    private void warmUp() throws Exception {
        String topic = "sluice.warmup";
        try (Admin admin = admin()) {
            admin.createTopics(java.util.List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> c = new HashMap<>(p);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "sluice-warmup");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(java.util.List.of(topic));
            long until = System.currentTimeMillis() + 30_000;
            while (consumer.poll(java.time.Duration.ofMillis(100)).isEmpty()) {
                if (System.currentTimeMillis() > until) {
                    throw new IllegalStateException("embedded broker warm-up consume timed out");
                }
            }
            consumer.commitSync();
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            log.warn("embedded Kafka did not close cleanly: {}", e.toString());
        }
    }
}
