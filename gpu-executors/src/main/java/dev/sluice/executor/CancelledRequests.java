package dev.sluice.executor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Requests the aggregator has already answered early (the members still out could not change
 * the winner): their tasks still queued in an executor need not run. Fed from the cancellations
 * topic, read by every variant executor of a process; thread-safe.
 *
 * <p>Bounded by count, oldest first: a request id is never reused, so forgetting an old one only
 * means a very late task of it runs (its output is then ignored by the aggregator, as before).
 */
public final class CancelledRequests {
    /** About 10 MB of ids; at 1,000 early answers a second, the last 100 seconds. */
    public static final int DEFAULT_CAPACITY = 100_000;

    private final Map<String, Boolean> ids;

    public CancelledRequests(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.ids = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    public CancelledRequests() {
        this(DEFAULT_CAPACITY);
    }

    public void cancel(String requestId) {
        if (requestId == null || requestId.isEmpty()) {
            return;
        }
        synchronized (ids) {
            ids.put(requestId, Boolean.TRUE);
        }
    }

    public boolean isCancelled(String requestId) {
        synchronized (ids) {
            return ids.containsKey(requestId);
        }
    }

    public int size() {
        synchronized (ids) {
            return ids.size();
        }
    }
}
