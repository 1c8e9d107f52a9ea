package dev.sluice.bench.overhead;

import dev.sluice.common.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hop of the bare Kafka chain: a consume-produce loop that turns each input record into
 * zero or more output records of given sizes, with no inference and no Avro, committing the way
 * its {@link HopSettings} say (transactions where the pipeline's hop uses them).
 */
final class ChainHop implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChainHop.class);
    private static final long IDLE_POLL_MS = 100;

    /** What one input record becomes: a function that emits (topic, value) pairs for a key. */
    @FunctionalInterface
    interface Mapping {
        void map(ConsumerRecord<String, byte[]> in, BiConsumer<String, byte[]> emit);
    }

    private final HopSettings settings;
    private final List<String> inputs;
    private final Mapping mapping;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;
    private volatile Throwable failure;
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong commitNanos = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong offsetNanos = new java.util.concurrent.atomic.AtomicLong();
    private boolean pending;
    private boolean open;
    private long openedAtMs;
    private long lastCommitMs;

    ChainHop(KafkaSettings kafka, HopSettings settings, String groupId, List<String> inputs, Mapping mapping) {
        this.settings = settings;
        this.inputs = List.copyOf(inputs);
        this.mapping = mapping;
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, settings.readCommitted() ? "read_committed" : "read_uncommitted");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> p = kafka.clientConfig();
        p.put(ProducerConfig.LINGER_MS_CONFIG, settings.lingerMs());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        if (settings.transactional()) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, groupId + "-tx");
        }
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        thread = new Thread(this, "chain-" + settings.role());
        thread.setDaemon(true);
    }

    ChainHop start() {
        thread.start();
        return this;
    }

    boolean ready() {
        return assigned;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            if (settings.transactional()) {
                producer.initTransactions();
            }
            consumer.subscribe(inputs);
            lastCommitMs = System.currentTimeMillis();
            while (running) {
                long now = System.currentTimeMillis();
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(
                        settings.pollTimeoutMs(pending, now, lastCommitMs, openedAtMs, IDLE_POLL_MS)));
                if (!assigned && !consumer.assignment().isEmpty()) {
                    assigned = true;
                }
                if (!records.isEmpty()) {
                    if (settings.transactional() && !open) {
                        producer.beginTransaction();
                        open = true;
                        openedAtMs = System.currentTimeMillis();
                    }
                    for (ConsumerRecord<String, byte[]> r : records) {
                        mapping.map(r, (topic, value) -> producer.send(new ProducerRecord<>(topic, r.key(), value)));
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    pending = true;
                }
                now = System.currentTimeMillis();
                if (pending && settings.commitDue(now, lastCommitMs, openedAtMs)) {
                    commit();
                    lastCommitMs = now;
                } else if (!pending && now - lastCommitMs >= settings.commitIntervalMs()) {
                    lastCommitMs = now; // Streams moves its commit clock on even when there was nothing to commit
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (RuntimeException e) {
            failure = e;
            log.error("chain hop {} failed: {}", settings.role(), e.toString(), e);
        } finally {
            try {
                if (open) {
                    producer.abortTransaction();
                }
            } catch (RuntimeException e) {
                log.debug("abort on close: {}", e.toString());
            }
            producer.close(Duration.ofSeconds(5));
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Commits so far and their mean duration, ms: what a commit costs this hop (it blocks the hop meanwhile). */
    String commitStats() {
        long n = commits.get();
        double each = n == 0 ? 0 : commitNanos.get() / 1e6 / n;
        if (!settings.transactional()) {
            return String.format("%s %d commits, %.1f ms each", settings.role(), n, each);
        }
        return String.format("%s %d commits, %.1f ms each (%.1f in sendOffsetsToTransaction)", settings.role(), n, each,
                n == 0 ? 0 : offsetNanos.get() / 1e6 / n);
    }

    private void commit() {
        long t0 = System.nanoTime();
        commitNow();
        commits.incrementAndGet();
        commitNanos.addAndGet(System.nanoTime() - t0);
    }

    private void commitNow() {
        if (settings.transactional()) {
            long t0 = System.nanoTime();
            producer.sendOffsetsToTransaction(Map.copyOf(offsets), consumer.groupMetadata());
            offsetNanos.addAndGet(System.nanoTime() - t0);
            producer.commitTransaction();
            open = false;
        } else {
            producer.flush();
            if (settings.clock() == HopSettings.CommitClock.SINCE_LAST_COMMIT) {
                consumer.commitSync(Map.copyOf(offsets)); // as Kafka Streams does under at-least-once
            } else {
                consumer.commitAsync(Map.copyOf(offsets), null); // as the executor does
            }
        }
        pending = false;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
