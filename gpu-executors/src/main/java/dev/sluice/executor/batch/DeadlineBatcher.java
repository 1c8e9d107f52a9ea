package dev.sluice.executor.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Dynamic batching with deadlines, pure and clock-free (the caller passes the time).
 *
 * <p>Tasks queue in arrival order. A batch leaves when it is full ({@code maxBatch}), when the
 * oldest task has waited {@code maxDelayMs}, or early, when waiting any longer would make the
 * oldest task miss its deadline given the profiled latency of the batch it would join. Tasks
 * already past their deadline never run: {@link #takeExpired} hands them back for a
 * DEADLINE_EXCEEDED answer.
 */
public final class DeadlineBatcher<T extends Batchable> {
    private final int maxBatch;
    private final double maxDelayMs;
    private final BatchLatencyModel latency;
    private final int capacity;
    private final ArrayDeque<T> queue = new ArrayDeque<>();

    public DeadlineBatcher(int maxBatch, double maxDelayMs, BatchLatencyModel latency, int capacity) {
        if (maxBatch < 1 || maxDelayMs < 0 || capacity < maxBatch) {
            throw new IllegalArgumentException("need maxBatch >= 1, maxDelayMs >= 0, capacity >= maxBatch");
        }
        this.maxBatch = maxBatch;
        this.maxDelayMs = maxDelayMs;
        this.latency = latency;
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Visits the queued tasks in arrival order without removing them. */
    public void forEach(java.util.function.Consumer<T> visitor) {
        queue.forEach(visitor);
    }

    public int size() {
        return queue.size();
    }

    /** Whether another task fits; callers stop fetching (pause) when it does not. */
    public boolean hasRoom() {
        return queue.size() < capacity;
    }

    public void offer(T task) {
        if (!hasRoom()) {
            throw new IllegalStateException("batcher full (" + capacity + "); pause input before offering more");
        }
        queue.addLast(task);
    }

    /** Removes and returns every queued task whose deadline has passed. */
    public List<T> takeExpired(long nowMs) {
        List<T> out = new ArrayList<>();
        for (Iterator<T> it = queue.iterator(); it.hasNext(); ) {
            T t = it.next();
            if (t.deadlineMs() <= nowMs) {
                out.add(t);
                it.remove();
            }
        }
        return out;
    }

    /** Removes tasks matching {@code p} without running them (e.g. of a revoked partition). */
    public List<T> remove(Predicate<T> p) {
        List<T> out = new ArrayList<>();
        queue.removeIf(t -> {
            if (p.test(t)) {
                out.add(t);
                return true;
            }
            return false;
        });
        return out;
    }

    /** The batch to run now, or null when waiting is still better. */
    public Batch<T> poll(long nowMs) {
        if (queue.isEmpty()) {
            return null;
        }
        FlushReason reason = flushReason(nowMs);
        if (reason == null) {
            return null;
        }
        List<T> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
        while (batch.size() < maxBatch && !queue.isEmpty()) {
            batch.add(queue.pollFirst());
        }
        return new Batch<>(batch, reason);
    }

    private FlushReason flushReason(long nowMs) {
        if (queue.size() >= maxBatch) {
            return FlushReason.FULL;
        }
        T oldest = queue.peekFirst();
        if (nowMs - oldest.arrivalMs() >= maxDelayMs) {
            return FlushReason.MAX_DELAY;
        }
        // same rounding as nextFlushAtMs: time moves in whole ms, latencies are fractional
        if (nowMs >= earliestDeadline() - (long) Math.ceil(latency.latencyMs(queue.size()))) {
            return FlushReason.DEADLINE;
        }
        return null;
    }

    private long earliestDeadline() {
        long d = Long.MAX_VALUE;
        for (T t : queue) {
            d = Math.min(d, t.deadlineMs());
        }
        return d;
    }

    /** When {@link #poll} could next return a batch if nothing new arrives; Long.MAX_VALUE when empty. */
    public long nextFlushAtMs() {
        if (queue.isEmpty()) {
            return Long.MAX_VALUE;
        }
        if (queue.size() >= maxBatch) {
            return Long.MIN_VALUE;
        }
        long byDelay = queue.peekFirst().arrivalMs() + (long) Math.ceil(maxDelayMs);
        long byDeadline = earliestDeadline() - (long) Math.ceil(latency.latencyMs(queue.size()));
        return Math.min(byDelay, byDeadline);
    }
}
