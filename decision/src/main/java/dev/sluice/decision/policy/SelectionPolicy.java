package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;

/**
 * Chooses which variants serve one request. Implementations are pure: everything they may
 * depend on (the catalog, the live load, the time) is an argument, so the Kafka Streams
 * selector and the trace simulator drive the very same code.
 */
public interface SelectionPolicy {
    String name();

    Selection decide(SelectionRequest request, Catalog catalog, LoadSnapshot load, long nowMs);

    /**
     * Ground truth for request {@code requestId}, which was sent to {@code variant}: whether its
     * answer was correct. Every selector replica may see feedback on every request; a policy
     * that learns from its own draws (a bandit) must ignore requests it did not decide. Only
     * learning policies use it; the default ignores it.
     */
    default void onFeedback(String requestId, String variant, boolean correct, long nowMs) {}
}
