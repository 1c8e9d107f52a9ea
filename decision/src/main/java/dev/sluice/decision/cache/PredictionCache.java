package dev.sluice.decision.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import dev.sluice.models.Variant;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clipper's prediction cache, the pure part: answers for (task, hash of the input tensors) that
 * an earlier request already paid for, bounded in entries and in time (Caffeine: size-bounded,
 * expiring after write).
 *
 * <p>An entry remembers which variants produced it and the accuracy the catalog credits them with
 * ({@link #producerAccuracy}); a lookup answers only when that accuracy meets the request's floor,
 * so a cheap model's answer never stands in for a request that asked for a better one. When the
 * catalog changes a variant (re-profiled, retrained, removed), every entry it produced goes
 * ({@link #invalidateVariant}, {@link #onCatalog}).
 *
 * <p>Filling is two steps, because the selector that dispatches a request never sees its answer
 * directly: {@link #expect} remembers the key of a request sent to the members (bounded and
 * expiring too: answers that never come must not pile up), and {@link #onResult} stores the final
 * answer when it comes back. Thread-safe.
 */
public final class PredictionCache {
    /**
     * @param maxEntries answers kept at most (least recently and frequently used go first)
     * @param ttl how long an answer is kept after it was stored
     * @param maxPending requests awaiting their answer at most
     * @param pendingTtl how long a request's key waits for its answer
     */
    public record Config(long maxEntries, Duration ttl, long maxPending, Duration pendingTtl) {
        public static final Config DEFAULTS = new Config(100_000, Duration.ofMinutes(10), 100_000, Duration.ofMinutes(2));

        public Config {
            if (maxEntries < 1 || maxPending < 1) {
                throw new IllegalArgumentException("prediction cache: need max entries and max pending >= 1, got "
                        + maxEntries + ", " + maxPending);
            }
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(pendingTtl, "pendingTtl");
            if (ttl.isNegative() || ttl.isZero() || pendingTtl.isNegative() || pendingTtl.isZero()) {
                throw new IllegalArgumentException("prediction cache: time to live must be positive, got " + ttl + ", " + pendingTtl);
            }
        }

        public Config(long maxEntries, Duration ttl) {
            this(maxEntries, ttl, DEFAULTS.maxPending(), DEFAULTS.pendingTtl());
        }

        /** "SIZE,TTL" as a command line gives it, e.g. {@code 100000,10m} (TTL in s, m or h; plain: seconds). */
        public static Config parse(String spec) {
            String[] parts = spec.split(",");
            if (parts.length != 2) {
                throw new IllegalArgumentException("prediction cache: expected SIZE,TTL (e.g. 100000,10m), got '" + spec + "'");
            }
            return new Config(Long.parseLong(parts[0].trim()), duration(parts[1].trim()));
        }

        private static Duration duration(String s) {
            char unit = s.charAt(s.length() - 1);
            return switch (unit) {
                case 's' -> Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
                case 'm' -> Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
                case 'h' -> Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
                default -> Duration.ofSeconds(Long.parseLong(s));
            };
        }
    }

    /** What an answer is cached under: the task and the hash of its inputs ({@link InputKey}). */
    public record Key(String task, String inputHash) {}

    /** A cached answer: the label, its confidence, who produced it and the accuracy they are credited with. */
    public record Answer(int label, float confidence, List<String> variants, double accuracy, long storedAtMs) {
        public Answer {
            variants = List.copyOf(variants);
        }
    }

    /**
     * Counts since the cache was built. {@code hits + belowFloor + misses == lookups}: a
     * {@code belowFloor} lookup found an answer whose producer is under the request's floor.
     */
    public record Stats(long lookups, long hits, long belowFloor, long misses, long fills, long invalidated, long size) {
        public double hitRate() {
            return lookups == 0 ? 0 : hits / (double) lookups;
        }
    }

    private final Cache<Key, Answer> answers;
    private final Cache<String, Key> pending;
    private final AtomicLong lookups = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong belowFloor = new AtomicLong();
    private final AtomicLong fills = new AtomicLong();
    private final AtomicLong invalidated = new AtomicLong();

    public PredictionCache(Config config) {
        this(config, Ticker.systemTicker());
    }

    /** With a clock of its own (tests), and maintenance on the caller's thread so that it is deterministic. */
    public PredictionCache(Config config, Ticker ticker) {
        answers = Caffeine.newBuilder().maximumSize(config.maxEntries()).expireAfterWrite(config.ttl()).ticker(ticker)
                .executor(Runnable::run).build();
        pending = Caffeine.newBuilder().maximumSize(config.maxPending()).expireAfterWrite(config.pendingTtl()).ticker(ticker)
                .executor(Runnable::run).build();
    }

    /** The answer cached for {@code key} when its producer's accuracy meets {@code minAccuracy}. */
    public Optional<Answer> lookup(Key key, double minAccuracy) {
        lookups.incrementAndGet();
        Answer a = answers.getIfPresent(key);
        if (a == null) {
            return Optional.empty();
        }
        if (a.accuracy() < minAccuracy) {
            belowFloor.incrementAndGet();
            return Optional.empty();
        }
        hits.incrementAndGet();
        return Optional.of(a);
    }

    /** The answer held for {@code key}, whatever its accuracy, without counting a lookup (a default answer's source). */
    public Optional<Answer> peek(Key key) {
        return Optional.ofNullable(answers.getIfPresent(key));
    }

    /** The request {@code requestId}, sent to the members, should fill {@code key} with its answer. */
    public void expect(String requestId, Key key) {
        pending.put(requestId, key);
    }

    /**
     * A final result came back: when its request was {@link #expect}ed and it carries an answer,
     * store it, credited with what the catalog says of {@code variants}. Returns whether it filled.
     */
    public boolean onResult(String requestId, boolean answered, int label, float confidence, List<String> variants,
            Catalog catalog, long nowMs) {
        Key key = pending.asMap().remove(requestId);
        if (key == null || !answered || label < 0 || variants.isEmpty()) {
            return false;
        }
        Optional<Double> accuracy = producerAccuracy(catalog, variants);
        if (accuracy.isEmpty()) {
            return false; // produced by something the catalog no longer credits: nothing to promise
        }
        answers.put(key, new Answer(label, confidence, variants, accuracy.get(), nowMs));
        fills.incrementAndGet();
        return true;
    }

    /**
     * The accuracy the catalog credits an answer of {@code variants} with: a lone variant's own; for
     * several (an ensemble, or a cascade that escalated), the ensemble of exactly those members when
     * the catalog measured one (the lower figure of its votes), else the most accurate member's.
     * Empty when a variant is not in the catalog or unprofiled.
     */
    public static Optional<Double> producerAccuracy(Catalog catalog, List<String> variants) {
        double best = 0;
        for (String id : variants) {
            Optional<Variant> v = catalog.variant(id);
            if (v.isEmpty() || v.get().accuracy() == null) {
                return Optional.empty();
            }
            best = Math.max(best, v.get().accuracy());
        }
        if (variants.size() == 1) {
            return Optional.of(best);
        }
        Set<String> members = Set.copyOf(variants);
        return Optional.of(catalog.ensembles().stream().filter(e -> Set.copyOf(e.members()).equals(members))
                .mapToDouble(Ensemble::accuracy).min().orElse(best));
    }

    /** Drops every answer {@code variant} had a part in. Returns how many went. */
    public long invalidateVariant(String variant) {
        long before = answers.estimatedSize();
        answers.asMap().values().removeIf(a -> a.variants().contains(variant));
        long gone = Math.max(0, before - answers.estimatedSize());
        invalidated.addAndGet(gone);
        return gone;
    }

    /**
     * The catalog changed from {@code previous} to {@code next}: the answers of every variant whose
     * entry differs (accuracy, profile, file, ...) or is gone are dropped. Returns those variants.
     */
    public Set<String> onCatalog(Catalog previous, Catalog next) {
        Set<String> changed = changedVariants(previous, next);
        changed.forEach(this::invalidateVariant);
        return changed;
    }

    /** The variants of {@code previous} whose entry {@code next} changes or drops. */
    public static Set<String> changedVariants(Catalog previous, Catalog next) {
        Set<String> out = new LinkedHashSet<>();
        for (Variant v : previous.variants()) {
            if (!next.variant(v.id()).map(v::equals).orElse(false)) {
                out.add(v.id());
            }
        }
        return out;
    }

    public Stats stats() {
        long l = lookups.get();
        long h = hits.get();
        long b = belowFloor.get();
        return new Stats(l, h, b, l - h - b, fills.get(), invalidated.get(), answers.estimatedSize());
    }

    /** Answers held now (after pending maintenance). */
    public long size() {
        answers.cleanUp();
        return answers.estimatedSize();
    }

    /** Requests awaiting their answer now. */
    public long pending() {
        pending.cleanUp();
        return pending.estimatedSize();
    }

    /** Every variant with an answer in the cache (for tests and metrics). */
    public Set<String> producers() {
        Set<String> out = new LinkedHashSet<>();
        answers.asMap().values().forEach(a -> out.addAll(a.variants()));
        return out;
    }
}
