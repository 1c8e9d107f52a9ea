package dev.sluice.executor.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which models stay resident under a byte budget: when a model must come in, the least recently
 * used models that no running batch holds (unpinned) go out, oldest first, until it fits.
 * Pure bookkeeping, no loading and no clock; not thread-safe ({@link ModelCache} locks around it).
 *
 * <p>A model larger than the whole budget is refused with an error rather than loaded alone: the
 * budget is a promise about memory, and serving such a model would break it on every load.
 */
public final class ResidencyPolicy {
    /** No budget: every model stays once loaded (the lazy equivalent of loading all at start). */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /** A resident model and the bytes it is accounted for. */
    public record Resident(String id, long bytes) {}

    private static final class Entry {
        final long bytes;
        int pins;

        Entry(long bytes) {
            this.bytes = bytes;
        }
    }

    private final long budgetBytes;
    // access order: iteration runs from the least to the most recently used
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long residentBytes;

    public ResidencyPolicy(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("memory budget must be positive, got " + budgetBytes + " bytes");
        }
        this.budgetBytes = budgetBytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    public long residentBytes() {
        return residentBytes;
    }

    public int residentCount() {
        return entries.size();
    }

    public boolean isResident(String id) {
        return entries.containsKey(id);
    }

    /** Resident models, least recently used first. */
    public List<String> lruOrder() {
        return List.copyOf(entries.keySet());
    }

    /** How many holders pin {@code id} (0 when not resident). */
    public int pins(String id) {
        Entry e = entries.get(id);
        return e == null ? 0 : e.pins;
    }

    /** Whether a model of {@code bytes} could ever be admitted. */
    public boolean fitsBudget(long bytes) {
        return bytes <= budgetBytes;
    }

    /** Pins a resident model and marks it most recently used; false when it is not resident. */
    public boolean pinIfResident(String id) {
        Entry e = entries.get(id); // get() moves it to the most recently used end
        if (e == null) {
            return false;
        }
        e.pins++;
        return true;
    }

    public void unpin(String id) {
        Entry e = entries.get(id);
        if (e == null || e.pins == 0) {
            throw new IllegalStateException("model '" + id + "' is not pinned");
        }
        e.pins--;
    }

    /**
     * Makes {@code id} resident, pinned once, as the most recently used. Returns the models to
     * unload first (least recently used first; already removed from the accounting), or empty
     * when the pinned models leave no room now (nothing changed: retry after an unpin).
     *
     * @throws IllegalArgumentException when {@code bytes} exceeds the whole budget
     * @throws IllegalStateException when {@code id} is already resident
     */
    public Optional<List<Resident>> admit(String id, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("model '" + id + "' has a negative size: " + bytes);
        }
        if (!fitsBudget(bytes)) {
            throw new IllegalArgumentException(tooLarge(id, bytes, budgetBytes));
        }
        if (entries.containsKey(id)) {
            throw new IllegalStateException("model '" + id + "' is already resident");
        }
        long free = budgetBytes - residentBytes; // never overflows: residentBytes <= budgetBytes
        List<Resident> victims = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (free >= bytes) {
                break;
            }
            if (e.getValue().pins == 0) {
                victims.add(new Resident(e.getKey(), e.getValue().bytes));
                free += e.getValue().bytes;
            }
        }
        if (free < bytes) {
            return Optional.empty();
        }
        for (Resident v : victims) {
            entries.remove(v.id());
            residentBytes -= v.bytes();
        }
        Entry admitted = new Entry(bytes);
        admitted.pins = 1;
        entries.put(id, admitted);
        residentBytes += bytes;
        return Optional.of(List.copyOf(victims));
    }

    /** Forgets {@code id} (a load that failed, or an unload); returns whether it was resident. */
    public boolean remove(String id) {
        Entry e = entries.remove(id);
        if (e == null) {
            return false;
        }
        residentBytes -= e.bytes;
        return true;
    }

    /** Resident models that nothing pins, least recently used first. */
    public List<String> unpinned() {
        List<String> out = new ArrayList<>();
        entries.forEach((id, e) -> {
            if (e.pins == 0) {
                out.add(id);
            }
        });
        return out;
    }

    static String tooLarge(String id, long bytes, long budget) {
        return String.format("model '%s' needs %.1f MB, more than the whole memory budget of %.1f MB; "
                + "raise --memory-budget-mb or stop serving it here", id, bytes / 1048576.0, budget / 1048576.0);
    }
}
