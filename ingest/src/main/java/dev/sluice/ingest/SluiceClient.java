package dev.sluice.ingest;

import dev.sluice.avro.Feedback;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.common.ClientIds;
import dev.sluice.common.KafkaSettings;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces requests to sluice.requests and completes a future with each request's final
 * result from sluice.results. Results are read from the end of the topic as of
 * {@link #connect}, committed only (read_committed).
 *
 * <pre>{@code
 * try (SluiceClient client = SluiceClient.connect(KafkaSettings.of("localhost:9092"), SluiceSerdes.fingerprint())) {
 *     InferenceResult r = client.submit(request).get();
 * }
 * }</pre>
 */
public final class SluiceClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceClient.class);

    private final KafkaProducer<String, InferenceRequest> producer;
    private final KafkaProducer<String, Feedback> feedback;
    private final KafkaConsumer<String, InferenceResult> consumer;
    private final Map<String, CompletableFuture<InferenceResult>> pending = new ConcurrentHashMap<>();
    private final Map<String, Consumer<InferenceResult>> provisionalListeners = new ConcurrentHashMap<>();
    /** Ids answered lately, to count duplicate finals; bounded so that a long-lived client does not grow. */
    private final Map<String, Boolean> answered = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > ANSWERED_REMEMBERED;
                }
            });
    private static final int ANSWERED_REMEMBERED = 1 << 18;
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong provisional = new AtomicLong();
    private final Thread reader;
    private final Topics topics;
    /** Where requests go: sluice.requests, or a tenant's own request topic. */
    private final String requestsTopic;
    private volatile boolean running = true;

    private SluiceClient(KafkaSettings kafka, SluiceSerdes serdes, String component, String requestsTopic, String resultsTopic) {
        this.topics = kafka.topics();
        this.requestsTopic = requestsTopic;
        Map<String, Object> p = kafka.clientConfig();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, ClientIds.of(component + "-requests"));
        producer = new KafkaProducer<>(p, new StringSerializer(), serdes.<InferenceRequest>serializer());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, ClientIds.of(component + "-feedback"));
        feedback = new KafkaProducer<>(p, new StringSerializer(), serdes.<Feedback>serializer());
        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, ClientIds.of(component + "-results"));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), serdes.<InferenceResult>deserializer());
        List<TopicPartition> parts = consumer.partitionsFor(resultsTopic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        if (parts.isEmpty()) {
            throw new IllegalStateException("topic " + resultsTopic + " does not exist on " + kafka.bootstrap());
        }
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position); // resolve the end now, before any request is sent
        reader = new Thread(this::readResults, "sluice-client-results");
        reader.setDaemon(true);
        reader.start();
    }

    public static SluiceClient connect(KafkaSettings kafka, SluiceSerdes serdes) {
        return connect(kafka, serdes, "client");
    }

    /** As {@link #connect(KafkaSettings, SluiceSerdes)}, its Kafka clients named for {@code component} (client.id). */
    public static SluiceClient connect(KafkaSettings kafka, SluiceSerdes serdes, String component) {
        return new SluiceClient(kafka, serdes, component, kafka.topics().requests(), kafka.topics().results());
    }

    /**
     * A client of one tenant on a cluster that keeps tenants apart: it writes its requests to the
     * tenant's own request topic ({@link Topics#tenantRequests}; the selector takes the tenant from
     * the topic) and reads the answers from the tenant's own result topic
     * ({@link Topics#tenantResults}), the only topics its Kafka user may write and read.
     */
    public static SluiceClient connectAsTenant(KafkaSettings kafka, SluiceSerdes serdes, String tenant) {
        return new SluiceClient(kafka, serdes, "tenant-" + tenant, kafka.topics().tenantRequests(tenant),
                kafka.topics().tenantResults(tenant));
    }

    /** Sends the request; the future completes with its final result (never twice). */
    public CompletableFuture<InferenceResult> submit(InferenceRequest request) {
        CompletableFuture<InferenceResult> f = new CompletableFuture<>();
        if (pending.putIfAbsent(request.getId(), f) != null) {
            f.completeExceptionally(new IllegalArgumentException("request id already in flight: " + request.getId()));
            return f;
        }
        // a caller that gives up (orTimeout, cancel) frees the entry; a long-lived client (the gateway) must not grow
        f.whenComplete((r, e) -> pending.remove(request.getId(), f));
        producer.send(record(request), (md, e) -> {
            if (e != null) {
                pending.remove(request.getId());
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * Sends the first part of a request that arrives in parts (or a whole request) and calls
     * {@code onProvisional} with each provisional result before the future completes with the
     * final one. Set {@code final_only} false on the request to get provisional results at all.
     * Send the other parts with {@link #sendPart}.
     */
    public CompletableFuture<InferenceResult> submit(InferenceRequest request, Consumer<InferenceResult> onProvisional) {
        provisionalListeners.put(request.getId(), onProvisional);
        CompletableFuture<InferenceResult> f = submit(request);
        return f.whenComplete((r, e) -> provisionalListeners.remove(request.getId()));
    }

    /** Sends a later part of a request already {@linkplain #submit submitted}; its result arrives on that future. */
    public void sendPart(InferenceRequest part) {
        if (!pending.containsKey(part.getId())) {
            throw new IllegalStateException("part " + part.getPartIndex() + " of request " + part.getId()
                    + ": the request is not in flight (submit its first part first)");
        }
        producer.send(new ProducerRecord<>(requestsTopic, part.getId(), part)); // sent now, whenever it was created
    }

    /**
     * A request's (first part's) record, time-stamped with its {@code created_at_ms}: the moment the client
     * handed it over, which the selector tells apart from time spent inside Sluice (a deadline
     * already past then is the client's; one that passes later, in this client's queue or the
     * topic's backlog, is answered DEADLINE_EXCEEDED). The gateway creates a request when the call
     * arrives, so its own time counts as Sluice's.
     */
    private ProducerRecord<String, InferenceRequest> record(InferenceRequest r) {
        Long timestamp = r.getCreatedAtMs() > 0 ? r.getCreatedAtMs() : null;
        return new ProducerRecord<>(requestsTopic, null, timestamp, r.getId(), r);
    }

    /**
     * Reports the true label of an answered request to sluice.feedback, with the members' votes,
     * so learning policies (bandits, ensemble weights) can score the variants that served it.
     */
    public void sendFeedback(InferenceResult result, int trueLabel) {
        feedback.send(new ProducerRecord<>(topics.feedback(), result.getRequestId(), Feedback.newBuilder()
                .setRequestId(result.getRequestId()).setTrueLabel(trueLabel).setPolicy(result.getPolicy())
                .setVotes(result.getVotes()).setSentAtMs(System.currentTimeMillis()).build()));
    }

    public void flush() {
        producer.flush();
        feedback.flush();
    }

    /** Final results seen for a request that was already answered: must stay 0. */
    public long duplicates() {
        return duplicates.get();
    }

    public int inFlight() {
        return pending.size();
    }

    private void readResults() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, InferenceResult> r : consumer.poll(Duration.ofMillis(50))) {
                        onResult(r.value());
                    }
                } catch (RecordDeserializationException e) {
                    log.warn("skipping unreadable result at {}-{}: {}", e.topicPartition(), e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void onResult(InferenceResult r) {
        if (r == null) {
            return;
        }
        if (!r.getFinal$()) {
            provisional.incrementAndGet();
            Consumer<InferenceResult> listener = provisionalListeners.get(r.getRequestId());
            if (listener != null) {
                listener.accept(r);
            }
            return;
        }
        if (answered.putIfAbsent(r.getRequestId(), Boolean.TRUE) != null) {
            duplicates.incrementAndGet();
            return;
        }
        CompletableFuture<InferenceResult> f = pending.remove(r.getRequestId());
        if (f != null) {
            f.complete(r);
        } else {
            answered.remove(r.getRequestId()); // someone else's request
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        feedback.close(Duration.ofSeconds(5));
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("client closed")));
    }
}
