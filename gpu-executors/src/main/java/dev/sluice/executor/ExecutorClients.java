package dev.sluice.executor;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.ModelOutput;
import dev.sluice.common.ClientIds;
import dev.sluice.common.KafkaSettings;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka clients of one variant's executor and how what it produces is committed: the task
 * consumer (its variant's group, static membership, read_committed), the producer of outputs,
 * re-routed tasks and dead letters, and the status producer.
 *
 * <p>Under exactly-once, outputs join an open transaction, which commits with the consumed
 * offsets once it is {@code commitIntervalMs} old: one transaction per batch cost the broker more
 * than the models cost the CPU (the same trade Kafka Streams makes with commit.interval.ms). Under
 * at-least-once, outputs leave at once and are flushed, with the offsets they complete committed
 * after them, on the same period (a flush and commit after every batch cost the heavy variant a
 * fifth of its throughput once the executor polled between batches).
 */
final class ExecutorClients implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecutorClients.class);

    final KafkaConsumer<String, InferenceTask> consumer;
    private final KafkaProducer<String, Object> producer;
    private final KafkaProducer<String, ExecutorStatus> statusProducer;
    private final KafkaClientMetrics consumerMetrics;
    private final boolean transactional;
    private final long commitIntervalMs;
    private long transactionStartMs = -1; // an open transaction holding outputs, or -1
    private long uncommittedSinceMs = -1; // at-least-once: outputs sent whose offsets are not committed yet, or -1
    private final AckedCommits acked; // at-least-once: offsets waiting for their outputs' acks

    /** @param groupId the variant's consumer group; its transactional ids are the group plus the executor id */
    ExecutorClients(KafkaSettings kafka, SluiceSerdes serdes, Variant variant, ExecutorConfig config, String groupId,
            int maxPollRecords, MeterRegistry registry) {
        this.transactional = config.delivery().transactional();
        this.commitIntervalMs = config.commitIntervalMs();
        Counter refused = Counter.builder("sluice.executor.refused.records")
                .description("outputs, tasks or dead letters the producer or broker refused for themselves (too large, "
                        + "invalid): lost, logged, and not sent again")
                .tag("variant", variant.id()).register(registry);
        this.acked = new AckedCommits(e -> {
            refused.increment();
            log.error("executor for {}: a record it produced was refused and is lost: {}", variant.id(), e.toString());
        });
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        // static membership under the executor id (unique within each variant's group), short sessions, cooperative
        config.failover().applyToConsumer(c);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, ClientIds.of("executor-" + variant.id() + "-tasks"));
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), serdes.<InferenceTask>deserializer());
        // consumer lag (records-lag-max) and fetch metrics of this variant's task consumer
        this.consumerMetrics = new KafkaClientMetrics(consumer, List.of(Tag.of("variant", variant.id())));
        this.consumerMetrics.bindTo(registry);

        Map<String, Object> p = kafka.clientConfig();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, ClientIds.of("executor-" + variant.id() + "-outputs"));
        if (transactional) {
            // stable per variant and instance, so a restarted instance fences its predecessor
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, groupId + "-" + config.executorId());
            config.failover().applyToTransactionalProducer(p);
        }
        this.producer = new KafkaProducer<>(p, new StringSerializer(), values(serdes));
        Map<String, Object> s = kafka.clientConfig();
        s.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        s.put(ProducerConfig.CLIENT_ID_CONFIG, ClientIds.of("executor-" + variant.id() + "-status"));
        this.statusProducer = new KafkaProducer<>(s, new StringSerializer(), serdes.<ExecutorStatus>serializer());
    }

    /** Outputs, tasks (a cascade's next stage, a re-planned task) and raw dead letters, on one producer. */
    private static Serializer<Object> values(SluiceSerdes serdes) {
        var outputs = serdes.<ModelOutput>serializer();
        var tasks = serdes.<InferenceTask>serializer();
        var raw = new ByteArraySerializer();
        return new Serializer<>() {
            @Override
            public byte[] serialize(String topic, Object data) {
                return serialize(topic, new RecordHeaders(), data);
            }

            @Override
            public byte[] serialize(String topic, Headers headers, Object data) {
                if (data instanceof byte[] b) {
                    return raw.serialize(topic, headers, b);
                }
                return data instanceof InferenceTask t ? tasks.serialize(topic, headers, t)
                        : outputs.serialize(topic, headers, (ModelOutput) data);
            }
        };
    }

    /** Before the first send: registers the transactional id (fencing a predecessor with the same one). */
    void init() {
        if (transactional) {
            producer.initTransactions();
        }
    }

    /**
     * Hands {@code out} to the producer at once, without waiting for the broker: into the open
     * transaction under exactly-once (opening one at {@code nowMs}, also when {@code out} is empty:
     * skipped tasks' offsets still go with a transaction), else as they are. Commits at once when
     * the commit interval is 0, else when {@link #commitIfDue}.
     */
    void send(List<ProducerRecord<String, Object>> out, Supplier<Map<TopicPartition, OffsetAndMetadata>> positions,
            long nowMs) {
        if (transactional) {
            if (transactionStartMs < 0) {
                producer.beginTransaction();
                transactionStartMs = nowMs;
            }
            for (ProducerRecord<String, Object> r : out) {
                producer.send(r);
            }
            if (commitIntervalMs <= 0) {
                commitTransaction(positions);
            }
        } else {
            for (ProducerRecord<String, Object> r : out) {
                producer.send(r, acked.sent());
            }
            if (uncommittedSinceMs < 0) {
                uncommittedSinceMs = nowMs;
            }
            if (commitIntervalMs <= 0) {
                commitIfDue(positions, nowMs);
            }
        }
    }

    /**
     * Commits the open transaction once it is {@code commitIntervalMs} old at {@code nowMs}. Under
     * at-least-once, sets the offsets that the outputs sent so far complete aside on that period,
     * and commits, without blocking, the newest ones whose outputs the broker has acknowledged.
     */
    void commitIfDue(Supplier<Map<TopicPartition, OffsetAndMetadata>> positions, long nowMs) {
        if (transactionStartMs >= 0 && nowMs - transactionStartMs >= commitIntervalMs) {
            commitTransaction(positions);
        }
        if (uncommittedSinceMs >= 0 && nowMs - uncommittedSinceMs >= commitIntervalMs) {
            acked.close(positions.get()); // every output of the tasks these complete was handed to the producer
            uncommittedSinceMs = -1;
        }
        if (!transactional) {
            Map<TopicPartition, OffsetAndMetadata> ready = acked.ready();
            if (ready != null) {
                consumer.commitAsync(ready, null);
            }
        }
    }

    /** Commits what is open now, if anything is, and waits for it (before partitions move, and at a stop). */
    void commitOpen(Supplier<Map<TopicPartition, OffsetAndMetadata>> positions) {
        if (transactionStartMs >= 0) {
            commitTransaction(positions);
        }
        if (uncommittedSinceMs >= 0 || acked.waiting() > 0) {
            Map<TopicPartition, OffsetAndMetadata> offsets = positions.get();
            producer.flush();
            acked.flushed();
            consumer.commitSync(offsets);
            uncommittedSinceMs = -1;
        }
    }

    private void commitTransaction(Supplier<Map<TopicPartition, OffsetAndMetadata>> positions) {
        producer.sendOffsetsToTransaction(positions.get(), consumer.groupMetadata());
        producer.commitTransaction();
        transactionStartMs = -1;
    }

    void publishStatus(String topic, String key, ExecutorStatus status) {
        statusProducer.send(new ProducerRecord<>(topic, key, status));
    }

    @Override
    public void close() {
        consumerMetrics.close();
        try {
            // a clean stop leaves the group, so the partitions move at once; after a crash the static
            // member keeps them for its session, or until a replacement with the same id is back
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            log.debug("consumer close: {}", e.toString());
        }
        producer.close(Duration.ofSeconds(5));
        statusProducer.close(Duration.ofSeconds(5));
    }
}
