package dev.sluice.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the chaos benchmark's client saw: every request it sent and every final answer that came
 * back for it, and from those one fault's figures. Times are epoch milliseconds passed in; no
 * clock is read here. Thread-safe: the load thread records sends, the result readers answers.
 */
final class ChaosLedger {
    /** One request: when it was sent, and the final answers that came back (more than one is a duplicate). */
    static final class Entry {
        final long sentAtMs;
        private final List<Long> answeredAtMs = new ArrayList<>(1);
        private String firstStatus;

        Entry(long sentAtMs) {
            this.sentAtMs = sentAtMs;
        }

        synchronized void answer(long atMs, String status) {
            if (answeredAtMs.isEmpty()) {
                firstStatus = status;
            }
            answeredAtMs.add(atMs);
        }

        synchronized int answerCount() {
            return answeredAtMs.size();
        }

        /** The first final answer's time, or -1. */
        synchronized long firstAnsweredAtMs() {
            return answeredAtMs.isEmpty() ? -1 : answeredAtMs.get(0);
        }

        synchronized String firstStatus() {
            return firstStatus;
        }
    }

    /**
     * One fault's stretch of the run.
     *
     * @param startMs when the fault began (the kill, the first overloaded or bad record)
     * @param recoveryFromMs where recovery is counted from: the kill; for an overload, its end
     * @param windowEndMs the end of the fault window: requests sent from {@code startMs} until then are "in" it
     * @param slotEndMs the end of this fault's observation, before the next fault
     * @param beforeMs requests sent this long before {@code startMs} belong to the fault too (the
     *     baseline, and requests already in flight when it struck)
     */
    record Window(String name, long startMs, long recoveryFromMs, long windowEndMs, long slotEndMs, long beforeMs) {
        Window {
            if (!(startMs <= recoveryFromMs && recoveryFromMs <= windowEndMs && windowEndMs <= slotEndMs) || beforeMs < 0) {
                throw new IllegalArgumentException("window out of order: " + startMs + " <= " + recoveryFromMs + " <= "
                        + windowEndMs + " <= " + slotEndMs);
            }
        }
    }

    private final Map<String, Entry> requests = new ConcurrentHashMap<>();
    private final long sloMs;

    ChaosLedger(long sloMs) {
        this.sloMs = sloMs;
    }

    void sent(String id, long atMs) {
        requests.put(id, new Entry(atMs));
    }

    /** A final answer for {@code id}; false when the id is not one this client sent (someone else's, a bad record's). */
    boolean answered(String id, long atMs, String status) {
        Entry e = requests.get(id);
        if (e == null) {
            return false;
        }
        e.answer(atMs, status);
        return true;
    }

    /** Requests sent that have no final answer yet. */
    long unanswered() {
        return requests.values().stream().filter(e -> e.answerCount() == 0).count();
    }

    long size() {
        return requests.size();
    }

    /**
     * The figures of one fault, over the requests sent from {@code beforeMs} before its start to
     * the end of its slot:
     *
     * <ul>
     *   <li>{@code sent}, {@code answered} (at least one final answer), {@code lost} (none),
     *       {@code duplicated} (final answers beyond the first, summed);
     *   <li>{@code slo_in_window}: of those sent inside the fault window, the share answered OK within
     *       the SLO; {@code slo_outside_window}: the same for the others (before the fault, and after
     *       its window until the slot ends);
     *   <li>{@code recovery_s}: from {@code recoveryFromMs} until the last request that missed the SLO
     *       got its answer (a lost one counts until the slot's end); 0 when none missed after it;
     *   <li>{@code statuses}: the first final answers by status.
     * </ul>
     */
    Map<String, Object> measure(Window w) {
        long sent = 0;
        long answered = 0;
        long lost = 0;
        long duplicated = 0;
        long in = 0;
        long inOk = 0;
        long out = 0;
        long outOk = 0;
        long missed = 0;
        long lastMissedAnswer = w.recoveryFromMs();
        Map<String, Long> statuses = new TreeMap<>();
        for (Entry e : requests.values()) {
            if (e.sentAtMs < w.startMs() - w.beforeMs() || e.sentAtMs >= w.slotEndMs()) {
                continue;
            }
            sent++;
            int n = e.answerCount();
            long at = e.firstAnsweredAtMs();
            String status = e.firstStatus();
            if (n == 0) {
                lost++;
                statuses.merge("LOST", 1L, Long::sum);
            } else {
                answered++;
                duplicated += n - 1;
                statuses.merge(status, 1L, Long::sum);
            }
            boolean ok = n > 0 && "OK".equals(status) && at - e.sentAtMs <= sloMs;
            boolean inWindow = e.sentAtMs >= w.startMs() && e.sentAtMs < w.windowEndMs();
            if (inWindow) {
                in++;
                inOk += ok ? 1 : 0;
            } else {
                out++;
                outOk += ok ? 1 : 0;
            }
            if (!ok) {
                missed++;
                lastMissedAnswer = Math.max(lastMissedAnswer, n == 0 ? w.slotEndMs() : at);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sent", sent);
        r.put("answered", answered);
        r.put("lost", lost);
        r.put("duplicated", duplicated);
        r.put("recovery_s", round1((lastMissedAnswer - w.recoveryFromMs()) / 1000.0));
        r.put("slo_in_window", in == 0 ? null : round4((double) inOk / in));
        r.put("slo_outside_window", out == 0 ? null : round4((double) outOk / out));
        r.put("sent_in_window", in);
        r.put("missed_slo", missed);
        r.put("statuses", statuses);
        return r;
    }

    /** Every request as CSV (id, sent, first answer or 0, status, answers), by send time, for a closer look. */
    String timeline() {
        StringBuilder b = new StringBuilder("id,sent_at_ms,answered_at_ms,status,answers\n");
        requests.entrySet().stream().sorted(java.util.Comparator.comparingLong(e -> e.getValue().sentAtMs)).forEach(e -> {
            Entry x = e.getValue();
            b.append(e.getKey()).append(',').append(x.sentAtMs).append(',').append(Math.max(0, x.firstAnsweredAtMs())).append(',')
                    .append(x.firstStatus() == null ? "" : x.firstStatus()).append(',').append(x.answerCount()).append('\n');
        });
        return b.toString();
    }

    static double round1(double x) {
        return Math.round(x * 10) / 10.0;
    }

    static double round4(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
