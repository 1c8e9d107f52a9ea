package dev.sluice.decision.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Dynamic batching with deadlines, preferred sizes and priorities; pure and clock-free (the
 * caller passes the time).
 *
 * <p><b>Queue order.</b> Tasks queue per priority level, higher levels first, arrival order within
 * a level. A task's {@link Batchable#priority()} is clamped into [0, levels - 1]: below 0 counts
 * as 0, above the top level as the top level. With one level the batcher is FIFO.
 *
 * <p><b>When a batch leaves.</b> The batch-size limit is {@code maxBatch}, or less when an
 * adaptive controller lowered it ({@link #setLimit}). The <em>target</em> is the largest
 * preferred size within the limit, or the limit itself when no preferred size fits under it.
 * <ul>
 *   <li>FULL / PREFERRED: as soon as the queue holds the target, a batch of the target leaves
 *       (FULL when the target is the limit, PREFERRED otherwise). Smaller preferred sizes do not
 *       leave on their own: waiting for the largest one is the point of the delay. (Triton sends
 *       any preferred size the queue reaches at once; with an idle model that means batches
 *       rarely grow past the smallest preferred size.)
 *   <li>MAX_DELAY: the oldest task of any level waited {@code maxDelayMs}.
 *   <li>DEADLINE: waiting any longer would make some task miss its deadline given the profiled
 *       latency of the batch it would join.
 * </ul>
 * A MAX_DELAY or DEADLINE batch takes the largest preferred size the queue allows (and that
 * still holds every task at risk, see below), or the whole queue when no preferred size fits;
 * what stays is judged again at the next {@link #poll}.
 *
 * <p><b>Which tasks.</b> Tasks at risk of missing their deadline (those whose deadline is within
 * the profiled latency of the largest batch that could leave now) go first, earliest deadline
 * first, whatever their level: this is how the deadline flush protects low-priority tasks from
 * being starved by higher ones. The rest of the batch is filled in queue order, except while the
 * queue is standing ({@link #standingQueue}: overload): then newest first within each level, top
 * level first (adaptive LIFO, as Facebook's servers do under overload: "Fail at Scale", ACM Queue
 * 2015). Under overload a FIFO queue serves every task after it waited nearly its whole deadline,
 * so answers land at the deadline's edge and the hops after the batch push them past it; newest
 * first answers fresh tasks with their slack intact while the old ones are dropped as
 * unreachable ({@link #takeUnreachable}). A batch lists its tasks in queue order.
 *
 * <p>Tasks already past their deadline never run: {@link #takeExpired} hands them back for a
 * DEADLINE_EXCEEDED answer, and {@link #takeUnreachable} also those that could no longer be
 * answered in time if they ran now.
 */
public final class DeadlineBatcher<T extends Batchable> {
    /**
     * The answer margin executors use unless told otherwise ({@link #takeUnreachable}): about the
     * median time from the end of a batch to the client on the embedded pipeline (28 ms measured on
     * the 2-core machine, docs/benchmarks/sim.md).
     */
    public static final long DEFAULT_ANSWER_MARGIN_MS = 25;

    private final int maxBatch;
    private final double maxDelayMs;
    private final BatchLatencyModel latency;
    private final int capacity;
    private final int[] preferred; // ascending
    private final List<ArrayDeque<T>> levels = new ArrayList<>(); // index = level; read from the top down
    private int size;
    private int limit;

    public DeadlineBatcher(int maxBatch, double maxDelayMs, BatchLatencyModel latency, int capacity) {
        this(maxBatch, maxDelayMs, latency, capacity, List.of(), 1);
    }

    public DeadlineBatcher(int maxBatch, double maxDelayMs, BatchLatencyModel latency, int capacity,
            List<Integer> preferredSizes, int priorityLevels) {
        if (maxBatch < 1 || maxDelayMs < 0 || capacity < maxBatch) {
            throw new IllegalArgumentException("need maxBatch >= 1, maxDelayMs >= 0, capacity >= maxBatch");
        }
        if (priorityLevels < 1) {
            throw new IllegalArgumentException("need priorityLevels >= 1, got " + priorityLevels);
        }
        TreeSet<Integer> sizes = new TreeSet<>(preferredSizes);
        if (!sizes.isEmpty() && (sizes.first() < 1 || sizes.last() > maxBatch)) {
            throw new IllegalArgumentException("preferred batch sizes " + sizes + " must be within [1, " + maxBatch + "]");
        }
        this.preferred = sizes.stream().mapToInt(Integer::intValue).toArray();
        this.maxBatch = maxBatch;
        this.maxDelayMs = maxDelayMs;
        this.latency = latency;
        this.capacity = capacity;
        this.limit = maxBatch;
        for (int i = 0; i < priorityLevels; i++) {
            levels.add(new ArrayDeque<>());
        }
    }

    public int capacity() {
        return capacity;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** The current batch-size limit, in [1, maxBatch]. */
    public int limit() {
        return limit;
    }

    /** Lowers (or restores) the batch-size limit, e.g. from an adaptive controller. */
    public void setLimit(int n) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch-size limit " + n + " outside [1, " + maxBatch + "]");
        }
        limit = n;
    }

    public int priorityLevels() {
        return levels.size();
    }

    /** The level a priority counts as: clamped into [0, levels - 1]. */
    public int levelOf(int priority) {
        return Math.max(0, Math.min(levels.size() - 1, priority));
    }

    /** Visits the queued tasks in queue order (higher levels first, arrival order within one). */
    public void forEach(Consumer<T> visitor) {
        for (int l = levels.size() - 1; l >= 0; l--) {
            levels.get(l).forEach(visitor);
        }
    }

    public int size() {
        return size;
    }

    /** Whether another task fits; callers stop fetching (pause) when it does not. */
    public boolean hasRoom() {
        return size < capacity;
    }

    public void offer(T task) {
        if (!hasRoom()) {
            throw new IllegalStateException("batcher full (" + capacity + "); pause input before offering more");
        }
        levels.get(levelOf(task.priority())).addLast(task);
        size++;
    }

    /** Removes and returns every queued task whose deadline has passed, in queue order. */
    public List<T> takeExpired(long nowMs) {
        return remove(t -> t.deadlineMs() <= nowMs);
    }

    /**
     * Removes and returns, in queue order, every queued task that cannot be answered by its
     * deadline even if it left now: its deadline is earlier than now plus the latency of the
     * largest batch that could leave now plus {@code answerMarginMs}, the time an answer needs
     * after its batch ends to reach the client (the output and result hops). An answer exactly at
     * the deadline is in time, as clients count it.
     *
     * <p>Why: under overload a queue that runs such tasks answers each one just after its
     * deadline, every task waiting behind them is pushed to the same edge, and nothing is answered
     * in time (measured: a burst at twice a variant's capacity answered none of 3,400 requests in
     * time). Dropping them keeps the compute for tasks that can still make it.
     */
    public List<T> takeUnreachable(long nowMs, double answerMarginMs) {
        if (!(answerMarginMs >= 0)) {
            throw new IllegalArgumentException("answer margin must be >= 0, got " + answerMarginMs);
        }
        if (size == 0) {
            return List.of();
        }
        long reach = nowMs + (long) Math.ceil(latency.latencyMs(Math.min(size, limit)) + answerMarginMs);
        return remove(t -> t.deadlineMs() < reach);
    }

    /** Removes tasks matching {@code p} without running them (e.g. of a revoked partition), in queue order. */
    public List<T> remove(Predicate<T> p) {
        List<T> out = new ArrayList<>();
        for (int l = levels.size() - 1; l >= 0; l--) {
            for (Iterator<T> it = levels.get(l).iterator(); it.hasNext(); ) {
                T t = it.next();
                if (p.test(t)) {
                    out.add(t);
                    it.remove();
                }
            }
        }
        size -= out.size();
        return out;
    }

    /** The batch to run now, or null when waiting is still better. */
    public Batch<T> poll(long nowMs) {
        if (size == 0) {
            return null;
        }
        int target = target();
        FlushReason reason;
        int n;
        if (size >= target) {
            n = target;
            reason = target == limit ? FlushReason.FULL : FlushReason.PREFERRED;
        } else {
            // size < target <= limit: the whole queue fits one batch
            reason = timerReason(nowMs);
            if (reason == null) {
                return null;
            }
            n = timerBatchSize(countAtRisk(nowMs));
        }
        return new Batch<>(take(n, nowMs), reason);
    }

    /** When {@link #poll} could next return a batch if nothing new arrives; Long.MAX_VALUE when empty. */
    public long nextFlushAtMs() {
        if (size == 0) {
            return Long.MAX_VALUE;
        }
        if (size >= target()) {
            return Long.MIN_VALUE;
        }
        long byDelay = oldestArrival() + (long) Math.ceil(maxDelayMs);
        long byDeadline = earliestDeadline() - riskHorizonMs();
        return Math.min(byDelay, byDeadline);
    }

    /** The size a batch leaves at without waiting: the largest preferred size within the limit, else the limit. */
    private int target() {
        for (int i = preferred.length - 1; i >= 0; i--) {
            if (preferred[i] <= limit) {
                return preferred[i];
            }
        }
        return limit;
    }

    private FlushReason timerReason(long nowMs) {
        if (nowMs - oldestArrival() >= maxDelayMs) {
            return FlushReason.MAX_DELAY;
        }
        if (nowMs >= earliestDeadline() - riskHorizonMs()) {
            return FlushReason.DEADLINE;
        }
        return null;
    }

    /** Largest preferred size that the queue fills and that holds every task at risk; else the whole queue. */
    private int timerBatchSize(int atRisk) {
        for (int i = preferred.length - 1; i >= 0; i--) {
            if (preferred[i] <= size && preferred[i] <= limit && preferred[i] >= atRisk) {
                return preferred[i];
            }
        }
        return Math.min(size, limit);
    }

    /**
     * How close to its deadline a task may get before it must leave: the profiled latency of the
     * largest batch that could leave now (time moves in whole ms, latencies are fractional).
     */
    private long riskHorizonMs() {
        return (long) Math.ceil(latency.latencyMs(Math.min(size, limit)));
    }

    private boolean atRisk(T t, long nowMs, long horizon) {
        return nowMs >= t.deadlineMs() - horizon;
    }

    private int countAtRisk(long nowMs) {
        long horizon = riskHorizonMs();
        int[] n = {0};
        forEach(t -> {
            if (atRisk(t, nowMs, horizon)) {
                n[0]++;
            }
        });
        return n[0];
    }

    /** Takes n tasks: those at risk first (earliest deadline first), then queue order; returns them in queue order. */
    private List<T> take(int n, long nowMs) {
        long horizon = riskHorizonMs();
        List<T> inOrder = new ArrayList<>(size);
        forEach(inOrder::add);
        Set<T> chosen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<T> risky = new ArrayList<>();
        for (T t : inOrder) {
            if (atRisk(t, nowMs, horizon)) {
                risky.add(t);
            }
        }
        risky.sort(Comparator.comparingLong(Batchable::deadlineMs)); // stable: ties keep queue order
        for (T t : risky) {
            if (chosen.size() == n) {
                break;
            }
            chosen.add(t);
        }
        if (standingQueue(nowMs)) {
            fillNewestFirst(chosen, n);
        } else {
            for (T t : inOrder) {
                if (chosen.size() == n) {
                    break;
                }
                chosen.add(t);
            }
        }
        List<T> batch = new ArrayList<>(n);
        for (T t : inOrder) {
            if (chosen.contains(t)) {
                batch.add(t);
            }
        }
        for (ArrayDeque<T> level : levels) {
            level.removeIf(chosen::contains);
        }
        size -= batch.size();
        return batch;
    }

    /**
     * Whether the queue is standing rather than draining: it holds more than one batch and the
     * task queue order would run next (the oldest of the top level) has spent more than half of
     * the time it had left on arrival (to its deadline) waiting here. A queue that keeps up runs
     * tasks within a batch time or two, far less.
     */
    public boolean standingQueue(long nowMs) {
        if (size <= limit) {
            return false;
        }
        for (int l = levels.size() - 1; l >= 0; l--) {
            T head = levels.get(l).peekFirst();
            if (head != null) {
                return 2 * (nowMs - head.arrivalMs()) > head.deadlineMs() - head.arrivalMs();
            }
        }
        return false;
    }

    /** Fills {@code chosen} up to n from the newest task of the top level down (adaptive LIFO). */
    private void fillNewestFirst(Set<T> chosen, int n) {
        for (int l = levels.size() - 1; l >= 0 && chosen.size() < n; l--) {
            for (Iterator<T> it = levels.get(l).descendingIterator(); it.hasNext() && chosen.size() < n; ) {
                chosen.add(it.next());
            }
        }
    }

    private long oldestArrival() {
        return minOver(Batchable::arrivalMs);
    }

    private long earliestDeadline() {
        return minOver(Batchable::deadlineMs);
    }

    /** The least {@code f} over every queued task, of any level; Long.MAX_VALUE when empty. */
    private long minOver(java.util.function.ToLongFunction<? super T> f) {
        long min = Long.MAX_VALUE;
        for (ArrayDeque<T> level : levels) {
            for (T t : level) {
                min = Math.min(min, f.applyAsLong(t));
            }
        }
        return min;
    }
}
