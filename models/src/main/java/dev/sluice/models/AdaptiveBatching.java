package dev.sluice.models;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Clipper-style AIMD tuning of the batch size (the {@code adaptive:} block of {@code batching:}):
 * while the measured batch latency stays at or under {@code latency_objective_ms} the size grows
 * by {@code increase}; when a batch goes over, it is multiplied by {@code decrease_factor}.
 * The size stays within [1, max_batch].
 */
public record AdaptiveBatching(boolean enabled, double latencyObjectiveMs, int increase, double decreaseFactor) {
    public static final int DEFAULT_INCREASE = 1;
    /** Clipper's paper backs off by 10%. */
    public static final double DEFAULT_DECREASE_FACTOR = 0.9;
    public static final AdaptiveBatching DISABLED = new AdaptiveBatching(false, 0, DEFAULT_INCREASE, DEFAULT_DECREASE_FACTOR);

    public AdaptiveBatching {
        if (enabled && !(latencyObjectiveMs > 0 && Double.isFinite(latencyObjectiveMs))) {
            throw new IllegalArgumentException("batching.adaptive.latency_objective_ms must be a number > 0 when adaptive "
                    + "batching is enabled, got " + latencyObjectiveMs);
        }
        if (latencyObjectiveMs < 0) {
            throw new IllegalArgumentException("batching.adaptive.latency_objective_ms must be >= 0, got " + latencyObjectiveMs);
        }
        if (increase < 1) {
            throw new IllegalArgumentException("batching.adaptive.increase must be >= 1, got " + increase);
        }
        if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
            throw new IllegalArgumentException("batching.adaptive.decrease_factor must be in (0, 1), got " + decreaseFactor);
        }
    }

    /** Enabled, with the default step sizes. */
    public static AdaptiveBatching towards(double latencyObjectiveMs) {
        return new AdaptiveBatching(true, latencyObjectiveMs, DEFAULT_INCREASE, DEFAULT_DECREASE_FACTOR);
    }

    /** The catalog reader: {@code enabled} defaults to true when the block is there at all. */
    @JsonCreator
    static AdaptiveBatching fromCatalog(@JsonProperty("enabled") Boolean enabled,
            @JsonProperty("latency_objective_ms") Double latencyObjectiveMs, @JsonProperty("increase") Integer increase,
            @JsonProperty("decrease_factor") Double decreaseFactor) {
        boolean on = enabled == null || enabled;
        if (on && latencyObjectiveMs == null) {
            throw new IllegalArgumentException("batching.adaptive needs latency_objective_ms when enabled");
        }
        return new AdaptiveBatching(on, latencyObjectiveMs == null ? 0 : latencyObjectiveMs,
                increase == null ? DEFAULT_INCREASE : increase, decreaseFactor == null ? DEFAULT_DECREASE_FACTOR : decreaseFactor);
    }
}
