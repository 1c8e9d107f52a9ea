package dev.sluice.decision.aggregate;

import java.util.List;

/**
 * A request's terminal result and, when it went out before every member reported because the
 * outstanding members could no longer change it, those members (empty otherwise, also for
 * answers at the deadline).
 */
public record Answer(RequestResult result, List<String> skippedMembers) {
    public Answer {
        skippedMembers = List.copyOf(skippedMembers);
    }

    static Answer of(RequestResult result) {
        return new Answer(result, List.of());
    }

    /** Decided early: some members' outputs were not waited for. */
    public boolean isEarly() {
        return !skippedMembers.isEmpty();
    }
}
