package dev.sluice.bench.overhead;

import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The pipeline's topic graph without the pipeline: request-size records in; a selector-like hop
 * writes a task-size record and a plan-size record; an executor-like hop turns each task into an
 * output-size record; an aggregator-like hop reads plans and outputs and writes a result-size
 * record per output. Plain byte arrays, no inference, each hop with the producer, consumer and
 * commit settings of the pipeline's component at that position ({@link HopSettings}). A client
 * like {@code SluiceClient} (idempotent producer, linger 1 ms, read_committed results) sends and
 * awaits; as a {@link Target} it is measured exactly like the pipeline.
 */
public final class KafkaChain implements Target, AutoCloseable {
    /** The chain's topics; {@code suffix} keeps runs on one broker apart. */
    public record Topics(String requests, String tasks, String plans, String partials, String results) {
        public static Topics of(String suffix) {
            String p = "bench.chain." + suffix + ".";
            return new Topics(p + "requests", p + "tasks", p + "plans", p + "partials", p + "results");
        }

        List<String> all() {
            return List.of(requests, tasks, plans, partials, results);
        }
    }

    /** How the chain runs: hop settings per position and the record sizes it moves. */
    public record Config(DeliveryMode mode, HopSettings selector, HopSettings executor, HopSettings aggregator,
            RecordSizes sizes, int partitions, String idPrefix) {
        public static Config of(DeliveryMode mode, long streamsCommitMs, long executorCommitMs, int maxBatch,
                RecordSizes sizes, int partitions, String idPrefix) {
            return new Config(mode, HopSettings.selector(mode, streamsCommitMs),
                    HopSettings.executor(mode, executorCommitMs, maxBatch), HopSettings.aggregator(mode, streamsCommitMs),
                    sizes, partitions, idPrefix);
        }
    }

    private final Config config;
    private final Topics topics;
    private final List<ChainHop> hops = new ArrayList<>();
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> results;
    private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final byte[] requestValue;
    private final Thread reader;
    private volatile boolean running = true;

    private KafkaChain(KafkaSettings kafka, Config config, String suffix) {
        this.config = config;
        this.topics = Topics.of(suffix);
        createTopics(kafka);
        RecordSizes s = config.sizes();
        requestValue = new byte[s.request()];
        String group = "bench-chain-" + suffix + "-";
        hops.add(new ChainHop(kafka, config.selector(), group + "selector", List.of(topics.requests()), (in, emit) -> {
            emit.accept(topics.plans(), new byte[s.plan()]);
            emit.accept(topics.tasks(), new byte[s.task()]);
        }));
        hops.add(new ChainHop(kafka, config.executor(), group + "executor", List.of(topics.tasks()),
                (in, emit) -> emit.accept(topics.partials(), new byte[s.output()])));
        hops.add(new ChainHop(kafka, config.aggregator(), group + "aggregator", List.of(topics.plans(), topics.partials()),
                (in, emit) -> {
                    if (in.topic().equals(topics.partials())) { // a plan only sets up state in the aggregator
                        emit.accept(topics.results(), new byte[s.result()]);
                    }
                }));

        Map<String, Object> p = kafka.clientConfig();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        results = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (int i = 0; i < config.partitions(); i++) {
            parts.add(new TopicPartition(topics.results(), i));
        }
        results.assign(parts);
        results.seekToEnd(parts);
        parts.forEach(results::position);
        reader = new Thread(this::readResults, "chain-client-results");
        reader.setDaemon(true);
    }

    /** Creates the topics, starts the hops and waits until each has its partitions. */
    public static KafkaChain start(KafkaSettings kafka, Config config, String suffix, Duration timeout) {
        KafkaChain chain = new KafkaChain(kafka, config, suffix);
        chain.reader.start();
        chain.hops.forEach(ChainHop::start);
        long until = System.nanoTime() + timeout.toNanos();
        while (!chain.hops.stream().allMatch(ChainHop::ready)) {
            for (ChainHop h : chain.hops) {
                if (h.failure() != null) {
                    chain.close();
                    throw new IllegalStateException("chain hop failed at start: " + h.failure(), h.failure());
                }
            }
            if (System.nanoTime() > until) {
                chain.close();
                throw new IllegalStateException("chain hops did not get their partitions within " + timeout);
            }
            sleep(50);
        }
        return chain;
    }

    public Topics topics() {
        return topics;
    }

    @Override
    public CompletableFuture<Reply> send() {
        String id = config.idPrefix() + ids.getAndIncrement();
        CompletableFuture<Reply> f = new CompletableFuture<>();
        pending.put(id, f);
        producer.send(new ProducerRecord<>(topics.requests(), id, requestValue), (md, e) -> {
            if (e != null && pending.remove(id) != null) {
                f.complete(Reply.failure("produce failed: " + e));
            }
        });
        return f;
    }

    /** Results read for a request already answered: must stay 0 under exactly-once. */
    public long duplicates() {
        return duplicates.get();
    }

    /** Results read in all. */
    public long received() {
        return received.get();
    }

    /** Per hop: commits and their mean duration. */
    public String commitStats() {
        return String.join("; ", hops.stream().map(ChainHop::commitStats).toList());
    }

    /** A hop's failure, if one stopped. */
    public Throwable failure() {
        return hops.stream().map(ChainHop::failure).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    private void readResults() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(50))) {
                    received.incrementAndGet();
                    CompletableFuture<Reply> f = pending.remove(r.key());
                    if (f == null) {
                        duplicates.incrementAndGet();
                    } else {
                        f.complete(Reply.success(0, null));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            results.close(Duration.ofSeconds(2));
        }
    }

    private void createTopics(KafkaSettings kafka) {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            List<NewTopic> t = topics.all().stream().map(n -> new NewTopic(n, config.partitions(), (short) 1)).toList();
            admin.createTopics(t).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the chain's topics: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the chain's topics: " + e, e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        hops.forEach(ChainHop::close);
        running = false;
        results.wakeup();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        pending.values().forEach(f -> f.complete(Reply.failure("chain closed")));
    }
}
