package dev.sluice.executor.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of one executor process, loaded on first use and unloaded least recently used first
 * under a byte budget ({@link ResidencyPolicy}). Thread-safe: every variant's executor thread
 * acquires from the one cache.
 *
 * <p>{@link #acquire} returns a {@link Lease} that pins the model until closed, so a model is
 * never unloaded while a batch runs on it. Loads run outside the lock (other threads keep serving
 * resident models meanwhile); space is reserved first and the evicted models are closed before
 * the load starts. When pinned models leave no room, acquire waits for an unpin, at most
 * {@code maxWaitMs}. A thread must not hold a lease while acquiring another (it could wait on itself).
 */
public final class ModelCache<M extends AutoCloseable> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelCache.class);

    /** Events worth a metric; called outside the lock. */
    public interface Listener {
        default void loaded(String id, long bytes, long loadNanos) {}

        default void evicted(String id, long bytes) {}
    }

    private static final class Slot<M> {
        final long bytes;
        final Callable<M> loader;
        M model; // non-null while resident and loaded
        boolean loading;

        Slot(long bytes, Callable<M> loader) {
            this.bytes = bytes;
            this.loader = loader;
        }
    }

    private final ResidencyPolicy policy;
    private final Listener listener;
    private final long maxWaitMs;
    private final Map<String, Slot<M>> slots = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean closed;

    public ModelCache(long budgetBytes, long maxWaitMs, Listener listener) {
        this.policy = new ResidencyPolicy(budgetBytes);
        this.maxWaitMs = maxWaitMs;
        this.listener = listener == null ? new Listener() {} : listener;
    }

    /** Declares a model: {@code bytes} is what it is accounted for, {@code loader} builds it on first use. */
    public void register(String id, long bytes, Callable<M> loader) {
        lock.lock();
        try {
            if (!policy.fitsBudget(bytes)) {
                throw new IllegalArgumentException(ResidencyPolicy.tooLarge(id, bytes, policy.budgetBytes()));
            }
            if (slots.putIfAbsent(id, new Slot<>(bytes, loader)) != null) {
                throw new IllegalArgumentException("model '" + id + "' is registered twice");
            }
        } finally {
            lock.unlock();
        }
    }

    /** The model {@code id}, loaded if needed, pinned until the lease is closed. */
    public Lease acquire(String id) {
        Slot<M> slot;
        List<ResidencyPolicy.Resident> victims;
        List<AutoCloseable> toClose = new ArrayList<>();
        lock.lock();
        try {
            slot = slots.get(id);
            if (slot == null) {
                throw new IllegalArgumentException("model '" + id + "' is not registered; known: " + slots.keySet());
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
            while (true) {
                if (closed) {
                    throw new IllegalStateException("model cache is closed");
                }
                if (slot.loading) {
                    awaitChange(deadline, id); // another thread loads it
                    continue;
                }
                if (policy.pinIfResident(id)) {
                    return new Lease(id, slot.model);
                }
                Optional<List<ResidencyPolicy.Resident>> admitted = policy.admit(id, slot.bytes);
                if (admitted.isPresent()) {
                    victims = admitted.get();
                    break;
                }
                awaitChange(deadline, id); // pinned models fill the budget: wait for a batch to end
            }
            for (ResidencyPolicy.Resident v : victims) {
                Slot<M> s = slots.get(v.id());
                toClose.add(s.model);
                s.model = null;
            }
            slot.loading = true;
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < victims.size(); i++) {
            closeQuietly(victims.get(i).id(), toClose.get(i));
            listener.evicted(victims.get(i).id(), victims.get(i).bytes());
            log.info("unloaded model {} ({} MB) to make room for {}", victims.get(i).id(), mb(victims.get(i).bytes()), id);
        }
        M model;
        long t0 = System.nanoTime();
        try {
            model = slot.loader.call();
        } catch (Exception | Error e) {
            lock.lock();
            try {
                policy.remove(id);
                slot.loading = false;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("loading model '" + id + "' failed: " + e.getMessage(), e);
        }
        long loadNanos = System.nanoTime() - t0;
        boolean closedMeanwhile;
        lock.lock();
        try {
            closedMeanwhile = closed;
            slot.model = closedMeanwhile ? null : model;
            slot.loading = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (closedMeanwhile) {
            closeQuietly(id, model);
            throw new IllegalStateException("model cache closed while loading model '" + id + "'");
        }
        listener.loaded(id, slot.bytes, loadNanos);
        return new Lease(id, model);
    }

    private void awaitChange(long deadlineNanos, String id) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new IllegalStateException(String.format("no room for model '%s' (%s MB) within %d ms: the memory "
                    + "budget of %s MB is held by models in use (resident: %s)", id, mb(slots.get(id).bytes), maxWaitMs,
                    mb(policy.budgetBytes()), policy.lruOrder()));
        }
        try {
            changed.awaitNanos(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to load model '" + id + "'", e);
        }
    }

    public boolean isResident(String id) {
        lock.lock();
        try {
            Slot<M> s = slots.get(id);
            return s != null && s.model != null;
        } finally {
            lock.unlock();
        }
    }

    public long residentBytes() {
        lock.lock();
        try {
            return policy.residentBytes();
        } finally {
            lock.unlock();
        }
    }

    public int residentCount() {
        lock.lock();
        try {
            return policy.residentCount();
        } finally {
            lock.unlock();
        }
    }

    public long budgetBytes() {
        return policy.budgetBytes();
    }

    /** Resident models, least recently used first. */
    public List<String> lruOrder() {
        lock.lock();
        try {
            return policy.lruOrder();
        } finally {
            lock.unlock();
        }
    }

    /** Closes every loaded model. Call after the threads using the cache have stopped. */
    @Override
    public void close() {
        List<Map.Entry<String, M>> open = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            slots.forEach((id, s) -> {
                if (s.model != null) {
                    open.add(Map.entry(id, s.model));
                    s.model = null;
                    policy.remove(id);
                }
            });
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        open.forEach(e -> closeQuietly(e.getKey(), e.getValue()));
    }

    private static void closeQuietly(String id, AutoCloseable m) {
        try {
            m.close();
        } catch (Exception e) {
            log.warn("closing model {}: {}", id, e.toString());
        }
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }

    /** A pinned model: close it when the batch is done (idempotent). */
    public final class Lease implements AutoCloseable {
        private final String id;
        private final M model;
        private boolean released;

        private Lease(String id, M model) {
            this.id = id;
            this.model = model;
        }

        public M model() {
            if (released) {
                throw new IllegalStateException("lease of model '" + id + "' already closed");
            }
            return model;
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            lock.lock();
            try {
                if (!closed) { // close() already forgot every model
                    policy.unpin(id);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
