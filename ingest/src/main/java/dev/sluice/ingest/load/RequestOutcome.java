package dev.sluice.ingest.load;

import dev.sluice.avro.InferenceResult;

/** One sent request as the client saw it: the true label, when it was sent, and what came back. */
public record RequestOutcome(String id, int trueLabel, long sentAtMs, long deadlineMs, InferenceResult result,
        long receivedAtMs) {
    public boolean answered() {
        return result != null;
    }

    public boolean onTime() {
        return result != null && receivedAtMs <= deadlineMs && switch (result.getStatus()) {
            case OK, PARTIAL -> true;
            default -> false;
        };
    }

    public boolean hasLabel() {
        return result != null && result.getLabel() >= 0;
    }

    public boolean correct() {
        return hasLabel() && result.getLabel() == trueLabel;
    }

    public double latencyMs() {
        return receivedAtMs - sentAtMs;
    }
}
