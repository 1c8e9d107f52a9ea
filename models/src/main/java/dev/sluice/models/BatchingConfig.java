package dev.sluice.models;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Executor batching knobs for one variant (the {@code batching:} block of a catalog entry).
 * Every knob may be left out; the defaults reproduce plain dynamic batching.
 *
 * <ul>
 *   <li>{@code max_batch} (32): largest batch; also the ceiling of the adaptive size.
 *   <li>{@code max_delay_ms} (2.0): longest the oldest queued task waits for companions.
 *   <li>{@code preferred_batch_sizes} (none): sizes the batcher aims for (Triton's
 *       preferred_batch_size), each in [1, max_batch]; kept sorted ascending.
 *   <li>{@code priority_levels} (1): how many task priorities the batcher tells apart, 1..
 *       {@value #MAX_PRIORITY_LEVELS}; a task's priority is clamped into [0, levels - 1].
 *   <li>{@code adaptive}: AIMD tuning of the batch size against a latency objective
 *       ({@link AdaptiveBatching}); off by default.
 * </ul>
 */
public record BatchingConfig(
        int maxBatch,
        double maxDelayMs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> preferredBatchSizes,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = BatchingConfig.OneLevel.class) int priorityLevels,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = BatchingConfig.AdaptiveOff.class)
                AdaptiveBatching adaptive) {
    public static final int DEFAULT_MAX_BATCH = 32;
    public static final double DEFAULT_MAX_DELAY_MS = 2.0;
    /** A bound on levels: each level is a queue the batcher scans; a handful is all anyone uses. */
    public static final int MAX_PRIORITY_LEVELS = 16;
    public static final BatchingConfig DEFAULT = new BatchingConfig(DEFAULT_MAX_BATCH, DEFAULT_MAX_DELAY_MS);

    public BatchingConfig {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batching.max_batch must be >= 1, got " + maxBatch);
        }
        if (!(maxDelayMs >= 0) || Double.isInfinite(maxDelayMs)) {
            throw new IllegalArgumentException("batching.max_delay_ms must be a finite number >= 0, got " + maxDelayMs);
        }
        TreeSet<Integer> sizes = new TreeSet<>();
        for (Integer s : preferredBatchSizes == null ? List.<Integer>of() : preferredBatchSizes) {
            if (s == null || s < 1 || s > maxBatch) {
                throw new IllegalArgumentException("batching.preferred_batch_sizes: " + s + " is outside [1, max_batch = "
                        + maxBatch + "]");
            }
            if (!sizes.add(s)) {
                throw new IllegalArgumentException("batching.preferred_batch_sizes names " + s + " twice");
            }
        }
        preferredBatchSizes = List.copyOf(new ArrayList<>(sizes));
        if (priorityLevels < 1 || priorityLevels > MAX_PRIORITY_LEVELS) {
            throw new IllegalArgumentException("batching.priority_levels must be in [1, " + MAX_PRIORITY_LEVELS + "], got "
                    + priorityLevels);
        }
        if (adaptive == null) {
            adaptive = AdaptiveBatching.DISABLED;
        }
    }

    /** Plain dynamic batching: no preferred sizes, one priority level, fixed size. */
    public BatchingConfig(int maxBatch, double maxDelayMs) {
        this(maxBatch, maxDelayMs, List.of(), 1, AdaptiveBatching.DISABLED);
    }

    /** The catalog reader: every knob optional. */
    @JsonCreator
    static BatchingConfig fromCatalog(@JsonProperty("max_batch") Integer maxBatch,
            @JsonProperty("max_delay_ms") Double maxDelayMs,
            @JsonProperty("preferred_batch_sizes") List<Integer> preferredBatchSizes,
            @JsonProperty("priority_levels") Integer priorityLevels,
            @JsonProperty("adaptive") AdaptiveBatching adaptive) {
        return new BatchingConfig(maxBatch == null ? DEFAULT_MAX_BATCH : maxBatch,
                maxDelayMs == null ? DEFAULT_MAX_DELAY_MS : maxDelayMs, preferredBatchSizes,
                priorityLevels == null ? 1 : priorityLevels, adaptive);
    }

    public BatchingConfig withMaxDelayMs(double ms) {
        return new BatchingConfig(maxBatch, ms, preferredBatchSizes, priorityLevels, adaptive);
    }

    public BatchingConfig withPreferredBatchSizes(List<Integer> sizes) {
        return new BatchingConfig(maxBatch, maxDelayMs, sizes, priorityLevels, adaptive);
    }

    public BatchingConfig withPriorityLevels(int levels) {
        return new BatchingConfig(maxBatch, maxDelayMs, preferredBatchSizes, levels, adaptive);
    }

    public BatchingConfig withAdaptive(AdaptiveBatching a) {
        return new BatchingConfig(maxBatch, maxDelayMs, preferredBatchSizes, priorityLevels, a);
    }

    /** Jackson value filter: a default knob is left out when the catalog is written back. */
    static final class OneLevel {
        @Override
        public boolean equals(Object o) {
            return o instanceof Integer i && i == 1;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    /** Jackson value filter: adaptive batching off (with default settings) is left out. */
    static final class AdaptiveOff {
        @Override
        public boolean equals(Object o) {
            return o == null || AdaptiveBatching.DISABLED.equals(o);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
