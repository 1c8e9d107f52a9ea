package dev.sluice.executor;

import dev.sluice.avro.InferenceTask;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The executor's half of a cascade: after a task ran, whether to pass its request on to the
 * next stage. It does when the task names stages still to try, the answer's confidence is under
 * the task's threshold, and the next stage is expected to answer before the deadline (its
 * profiled latency plus the Kafka hops); otherwise the answer stands. Pure.
 */
public final class Escalation {
    private final ToDoubleFunction<String> expectedMs;

    /** @param expectedMs how long a variant takes from dispatch to output, at least its batch-1 latency plus the hops */
    public Escalation(ToDoubleFunction<String> expectedMs) {
        this.expectedMs = expectedMs;
    }

    /** Never escalates (no catalog at hand): cascades end at their first stage. */
    public static Escalation never() {
        return new Escalation(v -> Double.POSITIVE_INFINITY);
    }

    /** The next stage's task, or empty when the answer stands. */
    public Optional<InferenceTask> next(InferenceTask done, float confidence, long nowMs) {
        List<String> rest = done.getEscalateTo();
        if (rest.isEmpty() || !(done.getEscalateBelow() > 0) || confidence >= done.getEscalateBelow()) {
            return Optional.empty();
        }
        String next = rest.get(0);
        if (nowMs + expectedMs.applyAsDouble(next) > done.getDeadlineMs()) {
            return Optional.empty(); // would answer too late: the cheaper answer is worth more on time
        }
        return Optional.of(InferenceTask.newBuilder(done)
                .setVariant(next)
                .setEscalateTo(List.copyOf(rest.subList(1, rest.size())))
                .setEnqueuedAtMs(nowMs)
                .build());
    }
}
