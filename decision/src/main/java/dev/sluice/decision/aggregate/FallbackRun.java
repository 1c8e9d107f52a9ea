package dev.sluice.decision.aggregate;

/**
 * A deadline default's fast fallback run: the task's cheapest variant, run beside a request's
 * members when the request asked for a default answer. Its output answers (flagged a default
 * answer) only when no member answered by the deadline and no more accurate default is there.
 *
 * @param variant the variant the selector sent a task to
 * @param accuracy its catalog accuracy, to weigh it against the prediction cache's default answer
 */
public record FallbackRun(String variant, double accuracy) {
    public FallbackRun {
        if (variant == null || variant.isBlank()) {
            throw new IllegalArgumentException("a fallback run names a variant");
        }
    }
}
