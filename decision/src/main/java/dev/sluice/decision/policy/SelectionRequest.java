package dev.sluice.decision.policy;

import java.util.List;

/** What a policy knows about one request: its task, deadline and accuracy need. Times in epoch ms. */
public record SelectionRequest(
        String id, String task, long createdAtMs, long deadlineMs, int priority, double minAccuracy,
        String tier, List<String> modalities) {
    public SelectionRequest {
        modalities = List.copyOf(modalities);
    }
}
