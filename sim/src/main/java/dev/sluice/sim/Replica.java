package dev.sluice.sim;

import dev.sluice.decision.batch.AimdBatchSize;
import dev.sluice.decision.batch.Batch;
import dev.sluice.decision.batch.DeadlineBatcher;
import dev.sluice.decision.batch.ObservedLatency;
import dev.sluice.decision.load.LoadView.ReplicaStatus;
import dev.sluice.decision.policy.VariantLoad;
import dev.sluice.decision.replan.QueueReplan;
import dev.sluice.models.AdaptiveBatching;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Variant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One executor replica of one variant, as {@code VariantExecutor} behaves: tasks wait on its
 * partitions (the Kafka backlog) until a poll brings at most {@code maxPollRecords} of them into
 * the production {@link DeadlineBatcher} (fetching pauses when the batcher is nearly full, as the
 * executor's backpressure does); each turn of its loop re-plans queued tasks with fallbacks
 * ({@link QueueReplan}), answers DEADLINE_EXCEEDED the tasks it could no longer answer in time
 * (with the executor's observed slowdown and answer margin), skips tasks of requests the
 * aggregator answered early, and runs the batch the batcher releases, one at a time, for a time
 * drawn from the variant's profile. It publishes the same status fields on the same period. After
 * a long batch with a full batch waiting, what arrived while it ran (after the first tasks, which
 * the fetch in flight during the batch brought) is fetched in time for the next batch only as
 * often as the environment's {@code fetchBackShare} says (the executor's one fetch in flight; by
 * default always).
 */
final class Replica {
    final String id;
    /**
     * The executor process it reports its status as: itself, or on a shared host one process
     * serving every variant (as the embedded pipeline's one {@code ExecutorHost} does), so that a
     * policy counting processes as devices (Proteus) counts what the pipeline's does.
     */
    final String executorId;
    final Variant variant;
    final int partitions;
    final DeadlineBatcher<SimTask> batcher;
    final ArrayDeque<SimTask> backlog = new ArrayDeque<>();
    private final BatchCost cost;
    private final ObservedLatency latency;
    private final double answerMarginMs;
    private final int maxPollRecords;
    private final AimdBatchSize aimd;
    private final Simulation sim;
    private boolean paused;
    /**
     * A poll fetches only the tasks that reached the partitions by this time (ns), or all of them
     * at {@code Long.MAX_VALUE}: after a long batch whose follow-up fetch was not back in time
     * (see {@link #onBatchDone}), what arrived while the batch ran stays on the partitions.
     */
    private long fetchedUpToNs = Long.MAX_VALUE;
    /** The executor's {@code CATCH_UP_AFTER_MS}: a batch at least this long is followed by a poll at once. */
    static final double PREFETCH_AFTER_MS = 8;

    boolean busy;
    /** Until when the loop works after a batch before its next turn ({@code SimEnvironment.turnGapMs}). */
    private long turnAtNs;
    private List<SimTask> running;
    private long batchStartNs;
    private double runningMs;
    /** on a shared host: the profile time its running batch still needs, and its completion's version */
    double remainingWorkMs;
    long doneVersion;
    /** on a shared host: tasks/s reaching it (its executor's part of the transport runs between its batches) */
    final DecayingRate taskRate = new DecayingRate(SharedHost.RATE_TIME_CONSTANT_S);
    long wakeAtNs = Long.MAX_VALUE;
    boolean statusDue;

    // load, as the executor smooths it for its status
    private double throughput;
    private double batchMs;
    private double meanBatch = 1;
    private long completedSinceStatus;
    private long lastActiveMs;
    private long lastStatusMs;
    long batches;

    Replica(String id, String executorId, Variant variant, int partitions, int capacity, BatchCost cost, Simulation sim) {
        this.id = id;
        this.executorId = executorId;
        this.variant = variant;
        this.partitions = partitions;
        this.cost = cost;
        this.sim = sim;
        BatchingConfig b = variant.batching();
        int maxBatch = b.maxBatch();
        int cap = Math.max(capacity, maxBatch);
        // the executor's latency model: the profile's p99 at n scaled by the observed slowdown against its p50
        this.latency = ObservedLatency.of(variant.profile(), maxBatch);
        this.answerMarginMs = sim.config().answerMarginMs();
        this.batcher = new DeadlineBatcher<>(maxBatch, b.maxDelayMs(), latency, cap, b.preferredBatchSizes(),
                b.priorityLevels());
        AdaptiveBatching adaptive = b.adaptive();
        this.aimd = adaptive.enabled() ? new AimdBatchSize(maxBatch, adaptive.latencyObjectiveMs(), adaptive.increase(),
                adaptive.decreaseFactor(), 1) : null;
        if (aimd != null) {
            batcher.setLimit(aimd.size());
        }
        this.maxPollRecords = Math.min(Math.max(maxBatch * 2, 64), cap);
    }

    /** A task reached one of this replica's partitions. */
    void onTask(SimTask t, long now) {
        t.reachedNs = now;
        backlog.addLast(t);
        if (!busy && now >= turnAtNs) {
            step(now);
        }
    }

    void onWake(long scheduledNs, long now) {
        if (scheduledNs != wakeAtNs) {
            return; // superseded by an earlier wake
        }
        wakeAtNs = Long.MAX_VALUE;
        if (!busy && now >= turnAtNs) {
            step(now);
        }
    }

    /** One turn of the executor's loop: poll, re-plan, drop the expired, run a batch or wait for the next flush. */
    void step(long now) {
        long nowMs = sim.ms(now);
        if (!paused) {
            for (int n = 0; n < maxPollRecords && !backlog.isEmpty() && batcher.hasRoom()
                    && backlog.peekFirst().reachedNs <= fetchedUpToNs; n++) {
                SimTask t = backlog.pollFirst();
                t.arrivalMs = nowMs;
                batcher.offer(t);
            }
        }
        fetchedUpToNs = Long.MAX_VALUE; // the poll after this one (or a waiting one) has the fetch sent at this one
        applyBackpressure();
        replanQueued(now, nowMs);
        if (batcher.size() > 0) {
            for (SimTask t : batcher.takeUnreachable(nowMs, answerMarginMs)) {
                sim.deadlineExceeded(t, this, now);
            }
        }
        Batch<SimTask> batch;
        while ((batch = batcher.poll(nowMs)) != null) {
            List<SimTask> live = withoutCancelled(batch.tasks(), now);
            if (!live.isEmpty()) {
                start(live, now);
                return;
            }
        }
        long at = batcher.nextFlushAtMs();
        if (at != Long.MAX_VALUE) {
            long atNs = Math.max(now, sim.nsOfMs(at));
            if (atNs < wakeAtNs) {
                wakeAtNs = atNs;
                sim.scheduleWake(this, atNs);
            }
        } else if (!backlog.isEmpty() && !paused) {
            sim.scheduleWake(this, now); // more to poll
            wakeAtNs = now;
        }
    }

    private List<SimTask> withoutCancelled(List<SimTask> tasks, long now) {
        List<SimTask> live = null;
        for (int i = 0; i < tasks.size(); i++) {
            SimTask t = tasks.get(i);
            if (t.request.cancelAtNs <= now) {
                if (live == null) {
                    live = new ArrayList<>(tasks.subList(0, i));
                }
                sim.skipped(t, this);
            } else if (live != null) {
                live.add(t);
            }
        }
        return live == null ? tasks : live;
    }

    private void start(List<SimTask> tasks, long now) {
        busy = true;
        running = tasks;
        batchStartNs = now;
        runningMs = cost.sampleMs(tasks.size(), sim.latencyRandom());
        batches++;
        sim.startBatch(this, runningMs, now);
    }

    void onBatchDone(long now) {
        busy = false;
        if (sim.sharesHost()) {
            runningMs = (now - batchStartNs) / 1e6; // what it took beside the host's other work
        }
        List<SimTask> done = running;
        running = null;
        int n = done.size();
        double queueBase = batchStartNs;
        for (SimTask t : done) {
            sim.completed(t, this, (queueBase - t.enqueuedNs) / 1e6, runningMs, n, now);
        }
        completedSinceStatus += n;
        // The executor polls right after a long batch. That poll brings what the fetch sent before the batch got: the
        // broker answers a fetch as soon as tasks reach the partitions (it waits for a first byte, not a full one), so
        // the first tasks to arrive during the batch, with any that came with them. It sends the fetch for the rest.
        // With a full batch waiting the next poll does not wait for that fetch; when it is not back, the next batch
        // goes without the rest, and the status does not count them.
        if (runningMs >= PREFETCH_AFTER_MS && sim.fetchesMayBeLate()) {
            long prefetchedUpToNs = firstReachedAfter(batchStartNs);
            if (batcher.size() + reachedBy(prefetchedUpToNs, batcher.limit()) >= batcher.limit() && !sim.prefetchBack()) {
                fetchedUpToNs = prefetchedUpToNs;
            }
        }
        batchMs = ewma(batchMs, runningMs);
        latency.observe(n, runningMs);
        meanBatch = ewma(meanBatch, n);
        if (aimd != null) {
            batcher.setLimit(aimd.observe(n, runningMs));
        }
        if (statusDue) {
            statusDue = false;
            publishStatus(now);
        }
        if (sim.turnGapNs() > 0) {
            // the executor's loop sends the outputs, commits and polls before its next batch can start
            turnAtNs = now + sim.turnGapNs();
            wakeAtNs = turnAtNs;
            sim.scheduleWake(this, turnAtNs);
            return;
        }
        step(now);
    }

    void onStatusTick(long now) {
        if (busy) {
            statusDue = true; // the executor publishes between batches
        } else {
            publishStatus(now);
        }
    }

    private void publishStatus(long now) {
        long nowMs = sim.ms(now);
        double secs = lastStatusMs == 0 ? 1 : Math.max(1e-3, (nowMs - lastStatusMs) / 1000.0);
        if (completedSinceStatus > 0) {
            lastActiveMs = nowMs;
        } else if (lastActiveMs > 0 && nowMs - lastActiveMs >= VariantLoad.MEASURED_COST_TTL_MS) {
            batchMs = 0; // as the executor's LoadTracker: an idle replica's measured cost goes stale
            meanBatch = 1;
        }
        throughput = ewma(throughput, completedSinceStatus / secs);
        completedSinceStatus = 0;
        lastStatusMs = nowMs;
        long queue = fetchedBacklog() + batcher.size();
        double msPerRequest = meanBatch > 0 && batchMs > 0 ? batchMs / meanBatch : 0;
        sim.publishStatus(new ReplicaStatus(executorId, variant.id(), queue, throughput, msPerRequest, partitions, nowMs), now);
    }

    /** When the first task on the partitions to reach them after {@code ns} did, or {@code ns} when none has. */
    private long firstReachedAfter(long ns) {
        for (SimTask t : backlog) { // in the order they reached the partitions
            if (t.reachedNs > ns) {
                return t.reachedNs;
            }
        }
        return ns;
    }

    /** Tasks on the partitions that had reached them by {@code ns}, counted up to {@code atMost}. */
    private int reachedBy(long ns, int atMost) {
        int n = 0;
        for (Iterator<SimTask> it = backlog.iterator(); it.hasNext() && n < atMost && it.next().reachedNs <= ns; ) {
            n++;
        }
        return n;
    }

    /** Tasks on the partitions that the consumer's lag counts: those its last fetch saw. */
    private long fetchedBacklog() {
        if (fetchedUpToNs == Long.MAX_VALUE) {
            return backlog.size();
        }
        long unseen = 0;
        for (Iterator<SimTask> it = backlog.descendingIterator(); it.hasNext() && it.next().reachedNs > fetchedUpToNs; ) {
            unseen++;
        }
        return backlog.size() - unseen;
    }

    /** The executor pauses fetching before a poll could overfill the batcher, and resumes below half. */
    private void applyBackpressure() {
        int held = batcher.size();
        if (batcher.capacity() - held < maxPollRecords) {
            paused = true;
        } else if (paused && held < batcher.capacity() / 2) {
            paused = false;
        }
    }

    /** MOSEL: with more than a batch queued, tasks this replica would answer late move to a fallback in time. */
    private void replanQueued(long now, long nowMs) {
        QueueReplan replan = sim.replan();
        if (replan == null || batcher.size() <= batcher.limit()) {
            return;
        }
        List<SimTask> queue = new ArrayList<>(batcher.size());
        batcher.forEach(queue::add);
        boolean any = false;
        for (SimTask t : queue) {
            if (!t.fallbacks.isEmpty()) {
                any = true;
                break;
            }
        }
        if (!any) {
            return;
        }
        int limit = batcher.limit();
        List<QueueReplan.Move<SimTask, String>> moves = replan.plan(queue, SimTask::routing,
                (t, target) -> QueueReplan.inputsFor(sim.carried(t), target).map(order -> target.id()), limit,
                fullBatchMs(limit), nowMs);
        if (moves.isEmpty()) {
            return;
        }
        Set<SimTask> moving = Collections.newSetFromMap(new IdentityHashMap<>());
        moves.forEach(m -> moving.add(m.queued()));
        batcher.remove(moving::contains);
        for (QueueReplan.Move<SimTask, String> m : moves) {
            sim.moved(m.queued(), this, m.to(), now);
        }
    }

    /** What a batch of {@code limit} costs here, as the executor estimates it (recent batches, else the profile). */
    private double fullBatchMs(int limit) {
        boolean measured = batchMs > 0 && meanBatch > 0;
        if (measured && meanBatch >= 0.75 * limit) {
            return batchMs * limit / meanBatch;
        }
        if (!variant.profile().isEmpty()) {
            return variant.profile().p50Ms(limit);
        }
        return measured ? batchMs / meanBatch * limit : 0;
    }

    /** Tasks held here: on its partitions and in its batcher. */
    long held() {
        return backlog.size() + batcher.size() + (running == null ? 0 : running.size());
    }

    private static double ewma(double prev, double x) {
        return prev == 0 ? x : 0.7 * prev + 0.3 * x;
    }
}
