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

    /**
     * Ground truth for request {@code requestId} with every vote its answer reported: the per-variant
     * form above for each vote by default; a policy that learns about whole configurations
     * ({@link Exp4Policy}) judges the configuration's answer from them.
     */
    default void onFeedback(String requestId, int trueLabel, java.util.List<dev.sluice.decision.vote.Ballot> votes, long nowMs) {
        for (dev.sluice.decision.vote.Ballot b : votes) {
            onFeedback(requestId, b.member(), b.label() == trueLabel, nowMs);
        }
    }
}
