package dev.sluice.sim.engine;

import java.util.Arrays;

/**
 * The simulator's future events: a 4-ary min-heap on (time, insertion order), so events at the
 * same instant fire in the order they were scheduled and a run repeats exactly for a seed. Times
 * are nanoseconds of virtual time, kept to 10 ns in the heap's key (44 bits: about 48 hours of
 * virtual time) beside a 20-bit insertion counter; the counter only breaks ties between events
 * due in the same 10 ns, and does so the same way on every run. Entries live in parallel
 * primitive arrays (no object per event): at a million events a second the heap, not the garbage
 * collector, sets the pace.
 *
 * <p>An event is a kind (an int the owner dispatches on), a subject (the object it concerns) and
 * one long argument. {@link #pop()} moves the earliest event into {@link #time()}, {@link #kind()},
 * {@link #subject()} and {@link #arg()}.
 */
public final class EventQueue {
    private static final int SEQ_BITS = 20;
    private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
    private static final long MAX_TICKS = 1L << (63 - SEQ_BITS);

    private long[] keys = new long[1024];
    private long[] times = new long[1024];
    private int[] kinds = new int[1024];
    private Object[] subjects = new Object[1024];
    private long[] args = new long[1024];
    private int size;
    private long scheduled;

    private long time;
    private int kind;
    private Object subject;
    private long arg;

    public void schedule(long timeNs, int kind, Object subject, long arg) {
        if (timeNs < 0 || timeNs / 10 >= MAX_TICKS) {
            throw new IllegalArgumentException("event time " + timeNs + " ns outside [0, 48 h)");
        }
        if (size == keys.length) {
            grow();
        }
        long key = ((timeNs / 10) << SEQ_BITS) | (scheduled & SEQ_MASK);
        scheduled++;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (keys[parent] <= key) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, key, timeNs, kind, subject, arg);
    }

    /** Removes the earliest event; false when none is left. */
    public boolean pop() {
        if (size == 0) {
            return false;
        }
        time = times[0];
        kind = kinds[0];
        subject = subjects[0];
        arg = args[0];
        int last = --size;
        long key = keys[last];
        long t = times[last];
        int k = kinds[last];
        Object o = subjects[last];
        long a = args[last];
        subjects[last] = null;
        if (last == 0) {
            return true;
        }
        int i = 0;
        while (true) {
            int first = 4 * i + 1;
            if (first >= last) {
                break;
            }
            int best = first;
            long bestKey = keys[first];
            int end = Math.min(first + 4, last);
            for (int c = first + 1; c < end; c++) {
                if (keys[c] < bestKey) {
                    bestKey = keys[c];
                    best = c;
                }
            }
            if (bestKey >= key) {
                break;
            }
            move(best, i);
            i = best;
        }
        set(i, key, t, k, o, a);
        return true;
    }

    /** Time of the earliest event, or Long.MAX_VALUE when none. */
    public long peekTime() {
        return size == 0 ? Long.MAX_VALUE : times[0];
    }

    public int size() {
        return size;
    }

    /** Events scheduled since the queue was made. */
    public long scheduled() {
        return scheduled;
    }

    public long time() {
        return time;
    }

    public int kind() {
        return kind;
    }

    public Object subject() {
        return subject;
    }

    public long arg() {
        return arg;
    }

    private void move(int from, int to) {
        keys[to] = keys[from];
        times[to] = times[from];
        kinds[to] = kinds[from];
        subjects[to] = subjects[from];
        args[to] = args[from];
    }

    private void set(int i, long key, long t, int k, Object o, long a) {
        keys[i] = key;
        times[i] = t;
        kinds[i] = k;
        subjects[i] = o;
        args[i] = a;
    }

    private void grow() {
        int n = keys.length * 2;
        keys = Arrays.copyOf(keys, n);
        times = Arrays.copyOf(times, n);
        kinds = Arrays.copyOf(kinds, n);
        subjects = Arrays.copyOf(subjects, n);
        args = Arrays.copyOf(args, n);
    }
}
