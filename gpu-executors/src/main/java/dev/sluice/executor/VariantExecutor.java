package dev.sluice.executor;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.common.KafkaSettings;
import dev.sluice.executor.batch.Batch;
import dev.sluice.executor.batch.DeadlineBatcher;
import dev.sluice.executor.runtime.ModelCache;
import dev.sluice.executor.runtime.ModelHandle;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.Softmax;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import dev.sluice.schemas.VariantViews;
import dev.sluice.executor.runtime.InputViews;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one variant: consumes its task topic, batches with the {@link DeadlineBatcher}, runs
 * the ONNX model, and writes one {@link ModelOutput} per task to sluice.partials. In
 * exactly-once mode the outputs and the consumed offsets commit in one transaction.
 *
 * <p>Offsets: the batcher is FIFO per partition, so the tasks still held form a suffix of what
 * was consumed; the committed position of a partition is its oldest held task (or the next
 * offset when none is held). A crash therefore re-runs only tasks without a committed output.
 */
public final class VariantExecutor implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VariantExecutor.class);
    private static final int CLASSES = 10;

    private final Variant variant;
    private final ExecutorConfig config;
    private final ModelHandle model; // loaded on first use, pinned only while a batch runs
    private final KafkaConsumer<String, InferenceTask> consumer;
    private final KafkaProducer<String, Object> producer;
    private final KafkaProducer<String, ExecutorStatus> statusProducer;
    private final DeadlineBatcher<PendingTask> batcher;
    private final ExecutorMetrics metrics;
    private final Escalation escalation;
    private final KafkaClientMetrics consumerMetrics;
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
    private final Set<TopicPartition> paused = new java.util.HashSet<>();
    private final float[] inputScratch;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean ready;

    // smoothed load, for the status topic
    private double arrivalRate;
    private double throughput;
    private double batchMs;
    private double meanBatch = 1;
    private long arrivedSinceStatus;
    private long completedSinceStatus;
    private long completedTotal;
    private long droppedTotal;
    private long lastStatusMs;
    private long transactionStartMs = -1; // an open transaction holding outputs, or -1

    public VariantExecutor(KafkaSettings kafka, SluiceSerdes serdes, Variant variant, ModelHandle model, ExecutorConfig config,
            MeterRegistry registry) {
        this(kafka, serdes, variant, model, config, registry, Escalation.never());
    }

    /** @param escalation when to pass a cascade's request on to its next stage */
    @SuppressWarnings("unchecked")
    public VariantExecutor(KafkaSettings kafka, SluiceSerdes serdes, Variant variant, ModelHandle model, ExecutorConfig config,
            MeterRegistry registry, Escalation escalation) {
        this.variant = variant;
        this.escalation = escalation;
        this.config = config;
        this.model = model;
        this.metrics = new ExecutorMetrics(registry, variant.id(), model.device());
        int maxBatch = variant.batching().maxBatch();
        this.inputScratch = new float[maxBatch * model.sampleSize()];
        this.batcher = new DeadlineBatcher<>(maxBatch, variant.batching().maxDelayMs(),
                n -> variant.profile().isEmpty() ? 0 : variant.profile().p99Ms(n), Math.max(config.capacity(), maxBatch));

        Map<String, Object> c = kafka.clientConfig();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(variant.id()));
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(maxBatch * 2, 64));
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), serdes.<InferenceTask>deserializer());
        // consumer lag (records-lag-max) and fetch metrics of this variant's task consumer
        this.consumerMetrics = new KafkaClientMetrics(consumer, java.util.List.of(
                io.micrometer.core.instrument.Tag.of("variant", variant.id())));
        this.consumerMetrics.bindTo(registry);

        Map<String, Object> p = kafka.clientConfig();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        if (config.delivery().transactional()) {
            // stable per variant and instance, so a restarted instance fences its predecessor
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sluice-executor-" + variant.id() + "-" + config.executorId());
        }
        var outputSerializer = serdes.<ModelOutput>serializer();
        var taskSerializer = serdes.<InferenceTask>serializer(); // a cascade's next stage
        var raw = new ByteArraySerializer();
        org.apache.kafka.common.serialization.Serializer<Object> values = new org.apache.kafka.common.serialization.Serializer<>() {
            @Override
            public byte[] serialize(String topic, Object data) {
                return serialize(topic, new RecordHeaders(), data);
            }

            @Override
            public byte[] serialize(String topic, org.apache.kafka.common.header.Headers headers, Object data) {
                if (data instanceof byte[] b) {
                    return b;
                }
                return data instanceof InferenceTask t ? taskSerializer.serialize(topic, headers, t)
                        : outputSerializer.serialize(topic, headers, (ModelOutput) data);
            }
        };
        this.producer = new KafkaProducer<>(p, new StringSerializer(), values);
        Map<String, Object> s = kafka.clientConfig();
        s.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.statusProducer = new KafkaProducer<>(s, new StringSerializer(), serdes.<ExecutorStatus>serializer());
        this.thread = new Thread(this, "executor-" + variant.id());
    }

    public static String groupId(String variant) {
        return "sluice-executor-" + variant;
    }

    public VariantExecutor start() {
        thread.start();
        return this;
    }

    public boolean isReady() {
        return ready;
    }

    public String device() {
        return model.device();
    }

    public String variantId() {
        return variant.id();
    }

    @Override
    public void run() {
        try {
            if (config.delivery().transactional()) {
                producer.initTransactions();
            }
            consumer.subscribe(List.of(Topics.tasks(variant.id())), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    if (transactionStartMs >= 0) {
                        commitTransaction(); // outputs already produced go with their offsets
                    }
                    // held tasks were not committed: their next owner re-reads them
                    batcher.remove(t -> parts.contains(t.partition()));
                    parts.forEach(nextOffset::remove);
                    paused.removeAll(parts);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    ready = true; // the group is joined; the model loads on the first batch
                }
            });
            log.info("executor for {} running on {} (group {}, delivery {})", variant.id(), model.device(),
                    groupId(variant.id()), config.delivery());
            while (running) {
                loopOnce();
            }
            if (transactionStartMs >= 0) {
                commitTransaction();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("executor for {} stopped: {}", variant.id(), e.toString(), e);
        } finally {
            closeClients(); // the model belongs to the host's cache, which closes it
        }
    }

    private void loopOnce() {
        long now = System.currentTimeMillis();
        long wait = Math.max(0, Math.min(20, batcher.nextFlushAtMs() - now));
        ConsumerRecords<String, InferenceTask> records;
        try {
            records = consumer.poll(Duration.ofMillis(wait));
        } catch (RecordDeserializationException e) {
            deadLetter(e);
            return;
        }
        now = System.currentTimeMillis();
        List<ProducerRecord<String, Object>> out = new ArrayList<>();
        for (ConsumerRecord<String, InferenceTask> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            nextOffset.put(tp, r.offset() + 1);
            PendingTask pt = new PendingTask(r.value(), tp, r.offset(), now);
            arrivedSinceStatus++;
            String problem = taskProblem(r.value());
            if (problem != null) {
                metrics.error(1);
                out.add(output(pt, OutputStatus.ERROR, -1, null, problem, now - r.value().getEnqueuedAtMs(), 0, 0));
                continue;
            }
            batcher.offer(pt);
        }
        applyBackpressure();

        List<PendingTask> expired = batcher.takeExpired(now);
        for (PendingTask t : expired) {
            out.add(output(t, OutputStatus.DEADLINE_EXCEEDED, -1, null,
                    "dropped by executor " + config.executorId() + ": deadline passed before it could run",
                    now - t.task().getEnqueuedAtMs(), 0, 0));
        }
        if (!expired.isEmpty()) {
            metrics.dropped(expired.size());
            droppedTotal += expired.size();
        }
        Batch<PendingTask> batch;
        while ((batch = batcher.poll(now)) != null) {
            runBatch(batch, out);
        }
        if (!out.isEmpty()) {
            commit(out);
        }
        if (transactionStartMs >= 0 && System.currentTimeMillis() - transactionStartMs >= config.commitIntervalMs()) {
            commitTransaction();
        }
        publishStatusIfDue();
    }

    private void runBatch(Batch<PendingTask> batch, List<ProducerRecord<String, Object>> out) {
        int n = batch.size();
        int sample = model.sampleSize();
        long start = System.currentTimeMillis();
        metrics.inFlight.set(n);
        long t0 = System.nanoTime();
        float[] logits;
        try (ModelCache<OnnxModel>.Lease lease = model.acquire()) {
            prepareInputs(batch, sample);
            t0 = System.nanoTime(); // a load on first use (or after eviction) is not compute time
            logits = lease.model().run(inputScratch, n);
        } catch (RuntimeException e) {
            metrics.error(n);
            for (PendingTask t : batch.tasks()) {
                out.add(output(t, OutputStatus.ERROR, -1, null, "model " + variant.id() + " failed: " + e.getMessage(),
                        start - t.task().getEnqueuedAtMs(), 0, n));
            }
            return;
        } finally {
            metrics.inFlight.set(0);
        }
        double computeMs = (System.nanoTime() - t0) / 1e6;
        metrics.batch(batch.reason(), n, computeMs);
        for (int i = 0; i < n; i++) {
            PendingTask t = batch.tasks().get(i);
            float[] probs = Softmax.probabilities(logits, i * CLASSES, CLASSES);
            int label = Softmax.argmax(probs, 0, CLASSES);
            double queueMs = start - t.task().getEnqueuedAtMs();
            metrics.queued(queueMs);
            ProducerRecord<String, Object> o = output(t, OutputStatus.OK, label, probs, null, queueMs, computeMs, n);
            escalation.next(t.task(), probs[label], System.currentTimeMillis()).ifPresent(next -> {
                // the next stage's task goes out with this output, in the same transaction under exactly-once
                ((ModelOutput) o.value()).setEscalatedTo(next.getVariant());
                out.add(new ProducerRecord<>(Topics.tasks(next.getVariant()), next.getRequestId(), next));
            });
            out.add(o);
        }
        completedSinceStatus += n;
        completedTotal += n;
        batchMs = ewma(batchMs, computeMs);
        meanBatch = ewma(meanBatch, n);
    }

    /** Copies the batch's inputs into the scratch buffer, as the view each member names. */
    private void prepareInputs(Batch<PendingTask> batch, int sample) {
        for (int i = 0; i < batch.size(); i++) {
            InferenceTask task = batch.tasks().get(i).task();
            Tensors.readFp32(task.getInput(), inputScratch, i * sample, sample);
            int view = VariantViews.viewOf(task.getVariant());
            if (view >= 0) { // self-consistency: this member is one test-time view of the input
                InputViews.apply(view, inputScratch, i * sample);
            }
        }
    }

    /** Why this executor cannot run {@code task}, or null: checked before it joins a batch, so it fails alone. */
    private String taskProblem(InferenceTask task) {
        String member = task.getVariant();
        if (!VariantViews.baseOf(member).equals(variant.id())) {
            return "task for '" + member + "' reached the executor of " + variant.id();
        }
        try {
            if (VariantViews.viewOf(member) >= 0 && model.sampleSize() != InputViews.SAMPLE) {
                return "views need 1x28x28 inputs; " + variant.id() + " takes " + model.sampleSize() + " values";
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return null;
    }

    private ProducerRecord<String, Object> output(PendingTask t, OutputStatus status, int label, float[] probs, String reason,
            double queueMs, double computeMs, int batchSize) {
        List<Float> p = new ArrayList<>(probs == null ? 0 : probs.length);
        if (probs != null) {
            for (float f : probs) {
                p.add(f);
            }
        }
        // the member id: the variant, or one view of it under self-consistency
        ModelOutput o = ModelOutput.newBuilder().setRequestId(t.task().getRequestId()).setVariant(t.task().getVariant())
                .setStatus(status).setLabel(label).setConfidence(probs == null ? 0f : probs[label]).setProbabilities(p)
                .setReason(reason).setExecutorId(config.executorId()).setDevice(model.device()).setBatchSize(batchSize)
                .setQueueMs(queueMs).setComputeMs(computeMs).setCompletedAtMs(System.currentTimeMillis()).build();
        return new ProducerRecord<>(Topics.PARTIALS, t.task().getRequestId(), o);
    }

    /**
     * Under exactly-once, outputs join the open transaction, which commits with the consumed
     * offsets once it is {@code commitIntervalMs} old: one transaction per batch cost the broker
     * more than the models cost the CPU (the same trade Kafka Streams makes with commit.interval.ms).
     */
    private void commit(List<ProducerRecord<String, Object>> out) {
        if (config.delivery().transactional()) {
            if (transactionStartMs < 0) {
                producer.beginTransaction();
                transactionStartMs = System.currentTimeMillis();
            }
            for (ProducerRecord<String, Object> r : out) {
                producer.send(r);
            }
            if (config.commitIntervalMs() <= 0) {
                commitTransaction();
            }
        } else {
            Map<TopicPartition, OffsetAndMetadata> offsets = committablePositions();
            for (ProducerRecord<String, Object> r : out) {
                producer.send(r);
            }
            producer.flush();
            consumer.commitAsync(offsets, null);
        }
    }

    private void commitTransaction() {
        producer.sendOffsetsToTransaction(committablePositions(), consumer.groupMetadata());
        producer.commitTransaction();
        transactionStartMs = -1;
    }

    private Map<TopicPartition, OffsetAndMetadata> committablePositions() {
        Map<TopicPartition, Long> pos = new HashMap<>(nextOffset);
        // held tasks are not done: commit up to the oldest one held per partition
        heldOffsets().forEach((tp, off) -> pos.merge(tp, off, Math::min));
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
        pos.forEach((tp, off) -> m.put(tp, new OffsetAndMetadata(off)));
        return m;
    }

    private Map<TopicPartition, Long> heldOffsets() {
        Map<TopicPartition, Long> held = new HashMap<>();
        batcher.forEach(t -> held.merge(t.partition(), t.offset(), Math::min));
        return held;
    }

    private void applyBackpressure() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (!batcher.hasRoom()) {
            consumer.pause(assigned);
            paused.addAll(assigned);
        } else if (!paused.isEmpty() && batcher.size() < batcher.capacity() / 2) {
            consumer.resume(paused);
            paused.clear();
        }
    }

    private void deadLetter(RecordDeserializationException e) {
        log.warn("undecodable task at {}-{}: {}", e.topicPartition(), e.offset(), e.getMessage());
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.DLQ_REASON_HEADER, ("undecodable task: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
        h.add(Topics.DLQ_SOURCE_TOPIC_HEADER, e.topicPartition().topic().getBytes(StandardCharsets.UTF_8));
        h.add(Topics.DLQ_SOURCE_PARTITION_HEADER, Integer.toString(e.topicPartition().partition()).getBytes(StandardCharsets.UTF_8));
        h.add(Topics.DLQ_SOURCE_OFFSET_HEADER, Long.toString(e.offset()).getBytes(StandardCharsets.UTF_8));
        byte[] value = e.valueBuffer() == null ? new byte[0] : toArray(e.valueBuffer());
        nextOffset.put(e.topicPartition(), e.offset() + 1);
        consumer.seek(e.topicPartition(), e.offset() + 1);
        commit(List.of(new ProducerRecord<>(Topics.DLQ, null, null, null, value, h)));
    }

    private static byte[] toArray(java.nio.ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private void publishStatusIfDue() {
        long now = System.currentTimeMillis();
        if (now - lastStatusMs < config.statusIntervalMs()) {
            return;
        }
        double secs = lastStatusMs == 0 ? 1 : (now - lastStatusMs) / 1000.0;
        arrivalRate = ewma(arrivalRate, arrivedSinceStatus / secs);
        throughput = ewma(throughput, completedSinceStatus / secs);
        arrivedSinceStatus = 0;
        completedSinceStatus = 0;
        lastStatusMs = now;
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0L);
        }
        ExecutorStatus s = ExecutorStatus.newBuilder().setExecutorId(config.executorId()).setVariant(variant.id())
                .setDevice(model.device()).setQueueDepth(lag + batcher.size()).setArrivalRate(arrivalRate)
                .setThroughput(throughput).setBatchLatencyMs(batchMs).setMeanBatchSize(meanBatch)
                .setCompletedTotal(completedTotal).setDroppedTotal(droppedTotal).setUpdatedAtMs(now).build();
        statusProducer.send(new ProducerRecord<>(Topics.EXECUTOR_STATUS, config.executorId() + "/" + variant.id(), s));
    }

    private static double ewma(double prev, double x) {
        return prev == 0 ? x : 0.7 * prev + 0.3 * x;
    }

    private void closeClients() {
        consumerMetrics.close();
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.debug("consumer close: {}", e.toString());
        }
        producer.close(Duration.ofSeconds(5));
        statusProducer.close(Duration.ofSeconds(5));
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
