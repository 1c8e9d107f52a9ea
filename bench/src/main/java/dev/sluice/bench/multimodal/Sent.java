package dev.sluice.bench.multimodal;

import dev.sluice.avro.InferenceResult;

/**
 * One sample as the client saw it: the true label, when its first part went out, and its first
 * (provisional or final) and final results with the times they arrived; nulls when none came.
 */
public record Sent(int trueLabel, long sentAtMs, long deadlineMs, InferenceResult first, long firstAtMs,
        InferenceResult last, long lastAtMs) {

    public boolean answered() {
        return last != null;
    }

    public boolean firstCorrect() {
        return first != null && first.getLabel() >= 0 && first.getLabel() == trueLabel;
    }

    public boolean finalCorrect() {
        return last != null && last.getLabel() >= 0 && last.getLabel() == trueLabel;
    }

    /** A provisional answer came first and the final one changed its label. */
    public boolean corrected() {
        return first != null && last != null && first != last && !first.getFinal$() && first.getLabel() != last.getLabel();
    }

    public boolean hadProvisional() {
        return first != null && !first.getFinal$();
    }

    /** Final answer with a label, by the deadline. */
    public boolean onTime() {
        return last != null && lastAtMs <= deadlineMs && switch (last.getStatus()) {
            case OK, PARTIAL -> true;
            default -> false;
        };
    }
}
