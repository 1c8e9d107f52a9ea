package dev.sluice.executor;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Tensor;
import dev.sluice.common.DeadLetters;
import dev.sluice.common.KafkaSettings;
import dev.sluice.decision.VariantViews;
import dev.sluice.decision.batch.AimdBatchSize;
import dev.sluice.decision.batch.Batch;
import dev.sluice.decision.batch.DeadlineBatcher;
import dev.sluice.decision.batch.ObservedLatency;
import dev.sluice.decision.replan.Escalation;
import dev.sluice.decision.replan.QueueReplan;
import dev.sluice.executor.runtime.ModelCache;
import dev.sluice.executor.runtime.ModelHandle;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.AdaptiveBatching;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one variant: consumes its task topic, batches with the {@link DeadlineBatcher}, runs
 * the ONNX model, and writes one {@link ModelOutput} per task to the partials topic. In
 * exactly-once mode the outputs and the consumed offsets commit in one transaction.
 *
 * <p>Its loop drives parts with one job each: {@link ExecutorClients} (the Kafka clients and how
 * outputs are committed), {@link OutputLedger} (which tasks have an output out, so what may be
 * committed: a crash re-runs only tasks without a committed output), {@link LoadTracker} (the load
 * its status reports) and the batcher; the model run and the outputs it makes stay here. Time
 * comes from an {@link InstantSource}.
 */
public final class VariantExecutor implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VariantExecutor.class);
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final boolean THREAD_CPU_SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported();

    private final Variant variant;
    private final ExecutorConfig config;
    private final ModelHandle model; // loaded on first use, pinned only while a batch runs
    private final ExecutorClients clients;
    private final KafkaConsumer<String, InferenceTask> consumer; // clients.consumer
    private final OutputLedger ledger = new OutputLedger();
    private final TaskOutputs outputs;
    private final LoadTracker load;
    private final InstantSource clock;
    /** The deployment's topic and group names. */
    private final Topics topics;
    private final DeadlineBatcher<PendingTask> batcher;
    private final ObservedLatency latency;
    private final ExecutorMetrics metrics;
    private final CancelledRequests cancelled;
    private final QueueReplan replan; // null: queued tasks never move
    private final AimdBatchSize aimd; // null unless adaptive batching is on
    private final int maxPollRecords;
    private final Set<TopicPartition> paused = new java.util.HashSet<>();
    private final TaskInputs inputs; // the batch's input tensors, laid out per model input
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean ready;
    /** Why the loop stopped on its own (null while it runs, or when it was closed). */
    private volatile String failure;
    /** A batch at least this long is followed by a {@link #prefetch} (after a short one little can have arrived unseen). */
    static final long CATCH_UP_AFTER_MS = 8;
    /** The longest the turn's poll waits for that fetch ({@link #catchUpWaitMs}). */
    static final long CATCH_UP_MAX_WAIT_MS = 5;
    private long lastBatchMs; // the batch the last turn ran, 0 when none
    private Boolean lastPrefetchBack; // whether the last counted prefetch's fetch was back in time (null: none yet)
    private long lastRunEndNanos; // when the last turn's model run ended (System.nanoTime), 0 when it ran none
    private boolean skippedSinceCommit; // cancelled tasks completed without output: their offsets still need a commit

    public VariantExecutor(KafkaSettings kafka, SluiceSerdes serdes, Variant variant, ModelHandle model, ExecutorConfig config,
            MeterRegistry registry) {
        this(kafka, serdes, variant, model, config, registry, Escalation.never(), new CancelledRequests(1), null);
    }

    public VariantExecutor(KafkaSettings kafka, SluiceSerdes serdes, Variant variant, ModelHandle model, ExecutorConfig config,
            MeterRegistry registry, Escalation escalation, CancelledRequests cancelled) {
        this(kafka, serdes, variant, model, config, registry, escalation, cancelled, null);
    }

    /**
     * @param escalation when to pass a cascade's request on to its next stage
     * @param cancelled requests already answered early: their tasks still queued here are skipped
     * @param replan when a queued task with fallbacks moves to a cheaper variant; null never moves one
     */
    public VariantExecutor(KafkaSettings kafka, SluiceSerdes serdes, Variant variant, ModelHandle model, ExecutorConfig config,
            MeterRegistry registry, Escalation escalation, CancelledRequests cancelled, QueueReplan replan) {
        this(kafka, serdes, variant, model, config, registry, escalation, cancelled, replan, InstantSource.system());
    }

    /** @param clock the time of every decision: batching, deadlines, commit pacing, status */
    public VariantExecutor(KafkaSettings kafka, SluiceSerdes serdes, Variant variant, ModelHandle model, ExecutorConfig config,
            MeterRegistry registry, Escalation escalation, CancelledRequests cancelled, QueueReplan replan,
            InstantSource clock) {
        this.variant = variant;
        this.clock = clock;
        this.load = new LoadTracker(variant, config.statusIntervalMs());
        this.outputs = new TaskOutputs(kafka.topics(), config.executorId(), model::device, escalation);
        this.replan = replan;
        this.cancelled = cancelled;
        this.config = config;
        this.model = model;
        this.metrics = new ExecutorMetrics(registry, variant.id(), model.device());
        BatchingConfig batching = variant.batching();
        int maxBatch = batching.maxBatch();
        this.topics = kafka.topics();
        this.inputs = new TaskInputs(variant, maxBatch);
        int capacity = Math.max(config.capacity(), maxBatch);
        // plans with the profile, scaled by how much slower than it this host runs batches now
        this.latency = ObservedLatency.of(variant.profile(), maxBatch);
        this.batcher = new DeadlineBatcher<>(maxBatch, batching.maxDelayMs(), latency, capacity,
                batching.preferredBatchSizes(), batching.priorityLevels());
        AdaptiveBatching adaptive = batching.adaptive();
        // Clipper starts small and climbs while batches stay under the objective
        this.aimd = adaptive.enabled() ? new AimdBatchSize(maxBatch, adaptive.latencyObjectiveMs(), adaptive.increase(),
                adaptive.decreaseFactor(), 1) : null;
        if (aimd != null) {
            batcher.setLimit(aimd.size());
        }
        metrics.batchLimit.set(batcher.limit());
        // one poll never brings more than the batcher has room for (see applyBackpressure)
        this.maxPollRecords = Math.min(Math.max(maxBatch * 2, 64), capacity);

        this.clients = new ExecutorClients(kafka, serdes, variant, config, groupId(topics, variant.id()), maxPollRecords,
                registry);
        this.consumer = clients.consumer;
        this.thread = new Thread(this, "executor-" + variant.id());
    }

    /** The consumer group of one variant's executors (their transactional ids start with it too). */
    public static String groupId(Topics topics, String variant) {
        return topics.group("sluice-executor-" + variant);
    }

    public VariantExecutor start() {
        thread.start();
        return this;
    }

    public boolean isReady() {
        return ready;
    }

    /**
     * Why this variant's loop stopped without being closed (its consumer was fenced, a client
     * failed), or null while it runs: a stopped loop never consumes again in this process.
     */
    public String failure() {
        String f = failure;
        if (f == null && running && thread.getState() == Thread.State.TERMINATED) {
            return "executor thread for " + variant.id() + " ended";
        }
        return f;
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
            clients.init();
            consumer.subscribe(List.of(topics.tasks(variant.id())), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    clients.commitOpen(ledger::committablePositions); // outputs already produced go with their offsets
                    // held tasks were not committed: their next owner re-reads them
                    batcher.remove(t -> parts.contains(t.partition()));
                    ledger.revoked(parts);
                    paused.removeAll(parts);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    if (!parts.isEmpty()) {
                        ledger.assigned(parts, consumer.committed(new java.util.HashSet<>(parts)));
                    }
                    ready = true; // the group is joined; the model loads on the first batch
                }
            });
            log.info("executor for {} running on {} (group {}, delivery {})", variant.id(), model.device(),
                    groupId(topics, variant.id()), config.delivery());
            while (running) {
                loopOnce();
            }
            clients.commitOpen(ledger::committablePositions);
        } catch (WakeupException e) {
            if (running) {
                failure = "woken up while running: " + e;
                throw e;
            }
        } catch (FencedInstanceIdException e) {
            failure = "another executor joined the group of " + variant.id() + " with the same id '" + config.executorId()
                    + "' (static membership): give every executor process its own --id";
            log.error("executor for {} stopped: {}", variant.id(), failure, e);
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("executor for {} stopped: {}", variant.id(), e.toString(), e);
        } finally {
            clients.close(); // the model belongs to the host's cache, which closes it
        }
    }

    private void loopOnce() {
        long now = clock.millis();
        long wait = pollWaitMs(batcher.nextFlushAtMs(), now);
        boolean afterPrefetch = lastBatchMs >= CATCH_UP_AFTER_MS;
        boolean fullBatchWaits = batcher.size() >= batcher.limit();
        // a batch this turn follows the last turn's back to back: the time between is the loop's own (turn.gap)
        long backToBackFrom = fullBatchWaits ? lastRunEndNanos : 0;
        lastRunEndNanos = 0;
        if (!fullBatchWaits && paused.isEmpty()) {
            // the next batch would leave short: worth a moment for the fetch sent as the last batch ended
            wait = Math.max(wait, catchUpWaitMs(lastBatchMs));
        }
        lastBatchMs = 0;
        ConsumerRecords<String, InferenceTask> records = pollTasks(Duration.ofMillis(wait));
        if (records == null) {
            return; // an undecodable task was dead-lettered
        }
        if (afterPrefetch && fullBatchWaits) {
            boolean back = !records.isEmpty(); // with no wait: was the prefetch's fetch back in time?
            metrics.prefetchAnswered(back, lastPrefetchBack);
            lastPrefetchBack = back;
        }
        now = clock.millis();
        List<ProducerRecord<String, Object>> out = new ArrayList<>();
        accept(records, now, out);
        applyBackpressure();
        // now, when the lag is freshest and the batcher holds all it polled: what a selector sees is what waits here
        publishStatusIfDue();
        replanQueued(now, out);

        // one batch per turn: the next is chosen after a poll, at the time it starts, from what arrived meanwhile
        // (several chosen back to back from one poll ran tasks that had waited nearly their whole deadline under
        // overload, oldest first, and none was answered in time)
        Batch<PendingTask> batch = nextBatch(now, out);
        if (batch != null && !out.isEmpty()) {
            // what this turn answered without running (drops, moves, refusals) leaves before the batch runs: a moved
            // task's fallback can start on it, and a dropped task's request be answered, without waiting out a heavy batch
            clients.send(out, ledger::committablePositions, now);
            out.clear();
        }
        if (batch != null) {
            List<ProducerRecord<String, Object>> outputs = new ArrayList<>(batch.size());
            long batchStart = clock.millis();
            runBatch(batch, outputs, backToBackFrom);
            lastBatchMs = clock.millis() - batchStart;
            if (lastBatchMs >= CATCH_UP_AFTER_MS) {
                // before its outputs are released and sent, so that the fetch has that time to come back (placed after
                // them it was rarely back by the next poll); should this poll revoke a partition, the ledger drops the
                // batch's outputs for it (OutputLedger.release) and its next owner runs those tasks
                prefetch(out);
            }
            if (outputs.size() != batch.size()) {
                throw new IllegalStateException("runBatch gave " + outputs.size() + " outputs for " + batch.size() + " tasks");
            }
            adaptBatchSize(batch, outputs);
            long doneAt = clock.millis();
            for (int i = 0; i < outputs.size(); i++) { // one output per task, in batch order
                release(batch.tasks().get(i), this.outputs.withEscalation(batch.tasks().get(i), outputs.get(i), doneAt), out);
            }
        }
        ledger.releaseHeldBack(out);
        if (!out.isEmpty() || skippedSinceCommit || batch != null) {
            // the batch's outputs leave as it ends, with the tasks answered without running this turn
            clients.send(out, ledger::committablePositions, clock.millis());
            skippedSinceCommit = false;
        }
        clients.commitIfDue(ledger::committablePositions, clock.millis());
    }

    /** One poll, or null when it met an undecodable task (dead-lettered, and skipped from then on). */
    private ConsumerRecords<String, InferenceTask> pollTasks(Duration wait) {
        try {
            return consumer.poll(wait);
        } catch (RecordDeserializationException e) {
            deadLetter(e);
            return null;
        }
    }

    /** Polled tasks join the batcher; a task already answered, or malformed, does not. */
    private void accept(ConsumerRecords<String, InferenceTask> records, long now, List<ProducerRecord<String, Object>> out) {
        for (ConsumerRecord<String, InferenceTask> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (!ledger.accept(tp, r.offset())) {
                metrics.skipped(1); // its output is already committed (re-read after a crash or rebalance)
                continue;
            }
            PendingTask pt = new PendingTask(r.value(), tp, r.offset(), now);
            load.arrived();
            String problem = taskProblem(r.value());
            if (problem != null) { // fails alone, before it joins a batch
                metrics.error(1);
                release(pt, List.of(output(pt, OutputStatus.ERROR, -1, null, problem, now - r.value().getEnqueuedAtMs(), 0, 0)), out);
                continue;
            }
            batcher.offer(pt);
        }
    }

    /**
     * Right after a long batch: the consumer keeps one fetch in flight, sent as the last poll
     * returned, just before the batch began, so what reached the partitions while it ran is in no
     * fetch yet (nor in the lag a status reports), and would wait unseen through the next batch
     * too. This poll, which does not wait, collects that fetch's answer and sends the next one,
     * which comes back while the batch's outputs are released, sent and committed, often in time
     * for the next turn's poll.
     */
    private void prefetch(List<ProducerRecord<String, Object>> out) {
        ConsumerRecords<String, InferenceTask> records = pollTasks(Duration.ZERO);
        if (records == null) {
            return; // an undecodable task was dead-lettered
        }
        metrics.prefetched(records.count());
        accept(records, clock.millis(), out); // a malformed task's error leaves with the batch's outputs
        applyBackpressure();
    }

    /**
     * How long the poll after a batch of {@code lastBatchMs} (0: none) waits, at least, for the fetch
     * {@link #prefetch} sent when the next batch would otherwise leave short (a full batch waiting
     * leaves at once: under overload the model must not idle): a quarter of the batch's time, at
     * most {@link #CATCH_UP_MAX_WAIT_MS}, none after a batch shorter than
     * {@link #CATCH_UP_AFTER_MS}. The fetch comes back in a broker round trip when tasks arrived;
     * the wait is only spent in full when none did.
     */
    static long catchUpWaitMs(long lastBatchMs) {
        if (lastBatchMs < CATCH_UP_AFTER_MS) {
            return 0;
        }
        return Math.min(CATCH_UP_MAX_WAIT_MS, Math.max(1, lastBatchMs / 4));
    }

    /**
     * The batch to run now, or null: tasks that can no longer be answered in time are answered
     * first, and a batch whose tasks were all cancelled makes way for the next.
     */
    private Batch<PendingTask> nextBatch(long now, List<ProducerRecord<String, Object>> out) {
        while (true) {
            dropUnreachable(now, out);
            Batch<PendingTask> batch = batcher.poll(now);
            if (batch == null) {
                return null;
            }
            batch = withoutCancelled(batch, out);
            if (batch != null) {
                return batch;
            }
        }
    }

    /** Answers DEADLINE_EXCEEDED, without running them, the queued tasks that could no longer be answered in time. */
    private void dropUnreachable(long now, List<ProducerRecord<String, Object>> out) {
        if (batcher.size() == 0) {
            return;
        }
        double batchMs = latency.latencyMs(Math.min(batcher.size(), batcher.limit()));
        List<PendingTask> expired = batcher.takeUnreachable(now, config.answerMarginMs());
        for (PendingTask t : expired) {
            long left = t.task().getDeadlineMs() - now;
            String why = left <= 0 ? "deadline passed before it could run"
                    : String.format("%d ms left to the deadline, less than its batch (about %.0f ms here now) plus the "
                            + "answer margin (%d ms)", left, batchMs, config.answerMarginMs());
            release(t, List.of(output(t, OutputStatus.DEADLINE_EXCEEDED, -1, null,
                    "dropped by executor " + config.executorId() + ": " + why, now - t.task().getEnqueuedAtMs(), 0, 0)), out);
        }
        if (!expired.isEmpty()) {
            metrics.dropped(expired.size());
            load.dropped(expired.size());
        }
    }

    /**
     * How long a poll may wait for tasks: until the batcher's next flush, at most 20 ms, and not
     * at all when a batch is ready now ({@code nextFlushAtMs} is {@code Long.MIN_VALUE} then;
     * subtracting from it overflowed to a 20 ms wait, which cost the heavy variant 40% of its
     * throughput while the executor polled between batches).
     */
    static long pollWaitMs(long nextFlushAtMs, long nowMs) {
        if (nextFlushAtMs <= nowMs) {
            return 0;
        }
        return Math.min(20, nextFlushAtMs - nowMs);
    }

    /**
     * MOSEL re-planning: with more than one batch queued, the tasks this executor would answer
     * after their deadline move to a fallback that is expected in time ({@link QueueReplan}).
     * A moved task completes here with a MOVED output naming its new variant, published with
     * the retargeted task (one transaction under exactly-once), so the aggregator waits for the
     * new variant instead.
     */
    private void replanQueued(long now, List<ProducerRecord<String, Object>> out) {
        if (replan == null || batcher.size() <= batcher.limit()) {
            return;
        }
        List<PendingTask> queue = new ArrayList<>(batcher.size());
        batcher.forEach(queue::add);
        if (queue.stream().allMatch(t -> t.task().getFallbacks().isEmpty())) {
            return;
        }
        int limit = batcher.limit();
        List<QueueReplan.Move<PendingTask, InferenceTask>> moves = replan.plan(queue, t -> TaskRoutes.routingOf(t.task()),
                (t, target) -> TaskRoutes.retarget(t.task(), target, now), limit, load.fullBatchMs(limit), now);
        if (moves.isEmpty()) {
            return;
        }
        Set<PendingTask> moving = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        moves.forEach(m -> moving.add(m.queued()));
        batcher.remove(moving::contains);
        for (QueueReplan.Move<PendingTask, InferenceTask> m : moves) {
            PendingTask t = m.queued();
            String reason = String.format("re-planned by executor %s: %s predicted to answer in %.0f ms with %d ms left "
                    + "to the deadline; moved to %s (expected %.0f ms)", config.executorId(), variant.id(), m.predictedHereMs(),
                    t.task().getDeadlineMs() - now, m.to(), m.expectedThereMs());
            ProducerRecord<String, Object> notice = output(t, OutputStatus.MOVED, -1, null, reason,
                    now - t.task().getEnqueuedAtMs(), 0, 0);
            ((ModelOutput) notice.value()).setEscalatedTo(m.to());
            release(t, List.of(notice, new ProducerRecord<>(topics.tasks(m.to()), t.task().getRequestId(), m.retargeted())), out);
            metrics.replanned();
        }
    }

    /**
     * The batch without the tasks of requests already answered early (checked as late as
     * possible, just before the run), or null when none is left. A skipped task completes with no
     * output; the compute it would have cost, at this executor's recent per-task cost, is counted saved.
     */
    private Batch<PendingTask> withoutCancelled(Batch<PendingTask> batch, List<ProducerRecord<String, Object>> out) {
        List<PendingTask> live = new ArrayList<>(batch.size());
        int skipped = 0;
        for (PendingTask t : batch.tasks()) {
            if (cancelled.isCancelled(t.task().getRequestId())) {
                release(t, List.of(), out);
                skipped++;
            } else {
                live.add(t);
            }
        }
        if (skipped == 0) {
            return batch;
        }
        metrics.cancelled(skipped, skipped * load.perTaskMs());
        skippedSinceCommit = true;
        return live.isEmpty() ? null : new Batch<>(live, batch.reason());
    }

    /** @param backToBackFrom when the last model run ended, for a batch that follows it back to back; else 0 */
    private void runBatch(Batch<PendingTask> batch, List<ProducerRecord<String, Object>> out, long backToBackFrom) {
        int n = batch.size();
        long start = clock.millis();
        metrics.inFlight.set(n);
        long t0 = System.nanoTime();
        long cpu0 = 0;
        float[] logits = null;
        List<List<Tensor>> tensors = null; // per task, for a variant that answers with output tensors
        try (ModelCache<OnnxModel>.Lease lease = model.acquire()) {
            float[][] in = inputs.fill(n, i -> batch.tasks().get(i).task());
            t0 = System.nanoTime(); // a load on first use (or after eviction) is not compute time
            if (backToBackFrom != 0) {
                metrics.turnGap((t0 - backToBackFrom) / 1e6);
            }
            cpu0 = threadCpuNanos();
            if (variant.isClassifier()) {
                logits = lease.model().run(in, n);
            } else {
                tensors = TaskOutputs.perTask(lease.model().runTensors(in, n), n);
            }
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
        lastRunEndNanos = System.nanoTime();
        double computeMs = (lastRunEndNanos - t0) / 1e6;
        double cpuMs = cpu0 < 0 ? 0 : (threadCpuNanos() - cpu0) / 1e6;
        metrics.batch(batch.reason(), n, computeMs);
        latency.observe(n, computeMs);
        for (int i = 0; i < n; i++) {
            PendingTask t = batch.tasks().get(i);
            double queueMs = start - t.task().getEnqueuedAtMs();
            metrics.queued(queueMs);
            ProducerRecord<String, Object> o;
            if (tensors != null) { // no class: the model's outputs as they are
                o = outputs.tensors(t, tensors.get(i), queueMs, computeMs, n, clock.millis());
            } else {
                o = outputs.classified(t, logits, i, queueMs, computeMs, n, clock.millis());
            }
            ((ModelOutput) o.value()).setCpuMs(cpuMs);
            out.add(o);
        }
        load.ran(n, computeMs);
    }

    /** This thread's CPU time in ns (ONNX Runtime runs on it, plus its pool's threads with more than one), or -1. */
    private static long threadCpuNanos() {
        return THREAD_CPU_SUPPORTED ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    /** Why this executor cannot run {@code task}, or null: checked before it joins a batch, so it fails alone. */
    private String taskProblem(InferenceTask task) {
        String member = task.getVariant();
        if (!VariantViews.baseOf(member).equals(variant.id())) {
            return "task for '" + member + "' reached the executor of " + variant.id();
        }
        String p = inputs.problem(task); // a missing tensor, a wrong datatype or size, a view it cannot take
        return p == null ? null : "task for " + variant.id() + " not run: " + p;
    }

    /** An output without an answer: an error, a drop or a move, with its reason. */
    private ProducerRecord<String, Object> output(PendingTask t, OutputStatus status, int label, float[] probs, String reason,
            double queueMs, double computeMs, int batchSize) {
        return outputs.output(t, status, label, probs, reason, queueMs, computeMs, batchSize, clock.millis());
    }

    /** A finished task's records go out now unless its partition's commit metadata has no room for them yet. */
    private void release(PendingTask t, List<ProducerRecord<String, Object>> records, List<ProducerRecord<String, Object>> out) {
        ledger.release(t, records, out);
    }

    /** Adaptive batching: the measured compute time of an OK batch steers the batch-size limit. */
    private void adaptBatchSize(Batch<PendingTask> batch, List<ProducerRecord<String, Object>> outputs) {
        if (aimd == null || outputs.isEmpty() || !(outputs.get(0).value() instanceof ModelOutput o)
                || o.getStatus() != OutputStatus.OK) {
            return;
        }
        batcher.setLimit(aimd.observe(batch.size(), o.getComputeMs()));
        metrics.batchLimit.set(batcher.limit());
    }

    /**
     * Pauses fetching before a poll could bring more tasks than the batcher has room for; held-back
     * outputs count as held tasks.
     */
    private void applyBackpressure() {
        Set<TopicPartition> assigned = consumer.assignment();
        int held = batcher.size() + ledger.heldBackCount();
        if (batcher.capacity() - held < maxPollRecords) {
            consumer.pause(assigned);
            paused.addAll(assigned);
        } else if (!paused.isEmpty() && held < batcher.capacity() / 2 && batcher.capacity() - held >= maxPollRecords) {
            consumer.resume(paused);
            paused.clear();
        }
    }

    private void deadLetter(RecordDeserializationException e) {
        log.warn("undecodable task at {}-{}: {}", e.topicPartition(), e.offset(), e.getMessage());
        byte[] raw = e.valueBuffer() == null ? new byte[0] : toArray(e.valueBuffer());
        // bounded as every dead letter is (DeadLetters): a task too large to copy whole keeps its first bytes and its
        // size, so the copy can always be written (a 2 MB one was refused by the producer, and under exactly-once
        // that failed the transaction and stopped the executor, again after every restart)
        var h = DeadLetters.headers(null, "undecodable task: " + e.getMessage(), e.topicPartition().topic(),
                e.topicPartition().partition(), e.offset(), raw);
        byte[] value = DeadLetters.value(raw);
        consumer.seek(e.topicPartition(), e.offset() + 1);
        if (!ledger.completeNow(e.topicPartition(), e.offset())) {
            return; // dead-lettered before a crash or rebalance, and committed
        }
        // the DLQ copy goes out right now, in or out of order
        clients.send(List.of(new ProducerRecord<>(topics.dlq(), null, null, null, value, h)), ledger::committablePositions,
                clock.millis());
    }

    private static byte[] toArray(java.nio.ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private void publishStatusIfDue() {
        long now = clock.millis();
        if (!load.statusDue(now)) {
            return; // the lag below costs a look at every assigned partition
        }
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0L);
        }
        load.statusIfDue(now, config.executorId(), model.device(), lag + batcher.size(), consumer.assignment().size())
                .ifPresent(s -> clients.publishStatus(topics.executorStatus(), config.executorId() + "/" + variant.id(), s));
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
