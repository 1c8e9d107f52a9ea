package dev.sluice.executor.offsets;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What one partition's executor has consumed and finished, pure: the source of its commits.
 *
 * <p>An offset is <em>pending</em> from {@link #accept} until {@link #tryComplete}; every other
 * offset below the next expected one is done (finished, dead-lettered, skipped, or never
 * delivered at all, such as transaction markers). The commit point is the lowest pending offset,
 * with the done offsets above it in {@link CompletedOffsets}; done offsets restored from the
 * previous owner's commit stay in it until consumption passes them.
 *
 * <p>The metadata must fit {@code budget} characters (the broker refuses larger commits):
 * {@link #tryComplete} refuses an out-of-order completion that would not fit, and the caller
 * holds that task's output back (unsent, so still pending) and retries after later completions.
 * An in-order completion (the lowest pending offset) never grows the metadata and is always
 * accepted, so held-back outputs always drain.
 */
public final class PartitionLedger {
    /** Room left for position digits to grow between the check and the commit. */
    static final int SLACK = 64;
    private static final int WORST_RANGE_CHARS = 2 * 13 + 2; // two base-36 longs, '.' and ','

    private final int budget;
    private final CompletedOffsets restored;
    private final TreeSet<Long> pending = new TreeSet<>();
    private long next; // next offset expected; -1 until known

    private PartitionLedger(CompletedOffsets restored, long next, int budget) {
        if (budget < CompletedOffsets.PREFIX.length() + SLACK + WORST_RANGE_CHARS) {
            throw new IllegalArgumentException("metadata budget " + budget + " too small");
        }
        this.restored = restored;
        this.next = next;
        this.budget = budget;
    }

    /** A partition without a committed position: the first record consumed sets it. */
    public static PartitionLedger fresh(int budget) {
        return new PartitionLedger(CompletedOffsets.none(0), -1, budget);
    }

    /** A partition whose previous owner committed {@code committed}. */
    public static PartitionLedger restored(CompletedOffsets committed, int budget) {
        return new PartitionLedger(committed, committed.position(), budget);
    }

    /** A consumed record. False when it must not run: its output is already committed (or it was seen). */
    public boolean accept(long offset) {
        if (next >= 0 && offset < next) {
            return false;
        }
        next = offset + 1;
        if (restored.isDone(offset)) {
            return false;
        }
        pending.add(offset);
        return true;
    }

    public boolean isPending(long offset) {
        return pending.contains(offset);
    }

    public int pendingCount() {
        return pending.size();
    }

    /**
     * Marks a pending offset done, unless it is out of order and the metadata would outgrow the
     * budget: then it stays pending and the caller must not publish its output yet.
     */
    public boolean tryComplete(long offset) {
        if (!pending.contains(offset)) {
            throw new IllegalArgumentException("offset " + offset + " is not pending");
        }
        boolean inOrder = offset == pending.first();
        pending.remove(offset);
        if (inOrder || fits()) {
            return true;
        }
        pending.add(offset);
        return false;
    }

    /** Marks an offset done whatever the budget (e.g. a record dead-lettered as soon as it was read). */
    public void complete(long offset) {
        pending.remove(offset);
    }

    private boolean fits() {
        int limit = budget - SLACK;
        int worst = CompletedOffsets.PREFIX.length() + (pending.size() + restored.ranges().size() + 1) * WORST_RANGE_CHARS;
        return worst <= limit || commitPoint().encode().length() <= limit;
    }

    /** What to commit now; null while nothing is known about this partition. */
    public CompletedOffsets commitPoint() {
        if (next < 0) {
            return null;
        }
        long pos = pending.isEmpty() ? next : pending.first();
        List<CompletedOffsets.Range> ranges = new ArrayList<>();
        long prev = pos;
        for (long p : pending.tailSet(pos, false)) {
            if (p > prev + 1) {
                ranges.add(new CompletedOffsets.Range(prev + 1, p));
            }
            prev = p;
        }
        if (!pending.isEmpty() && next > prev + 1) {
            ranges.add(new CompletedOffsets.Range(prev + 1, next));
        }
        // done offsets of the previous owner not consumed yet; they start at or after next
        List<CompletedOffsets.Range> ahead = restored.rangesFrom(next);
        if (!ahead.isEmpty() && !ranges.isEmpty() && ranges.get(ranges.size() - 1).to() > ahead.get(0).from()) {
            throw new IllegalStateException("overlapping ranges; a bug");
        }
        ranges.addAll(ahead);
        return CompletedOffsets.of(pos, ranges);
    }

    /** {@link #commitPoint()} cut to the budget (a no-op unless forced completions overfilled it). */
    public CompletedOffsets commitPointWithinBudget() {
        CompletedOffsets c = commitPoint();
        return c == null ? null : c.truncatedTo(budget);
    }
}
