package dev.sluice.decision.replan;

import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The executor's half of a cascade: after a task ran, whether to pass its request on to the
 * next stage. It does when the task names stages still to try, the answer's confidence is under
 * the task's threshold, and the next stage is expected to answer before the deadline (its
 * profiled latency plus the Kafka hops); otherwise the answer stands. Pure: the caller sends the
 * next stage's task ({@link NextStage}) and re-queues it at the time it passes.
 */
public final class Escalation {
    /** The stage to pass the request on to, and the stages left after it. */
    public record NextStage(String variant, List<String> escalateTo) {
        public NextStage {
            escalateTo = List.copyOf(escalateTo);
        }
    }

    private final ToDoubleFunction<String> expectedMs;

    /** @param expectedMs how long a variant takes from dispatch to output, at least its batch-1 latency plus the hops */
    public Escalation(ToDoubleFunction<String> expectedMs) {
        this.expectedMs = expectedMs;
    }

    /** Never escalates (no catalog at hand): cascades end at their first stage. */
    public static Escalation never() {
        return new Escalation(v -> Double.POSITIVE_INFINITY);
    }

    /** The next stage, or empty when the answer of the task {@code done} stands. */
    public Optional<NextStage> next(TaskRouting done, float confidence, long nowMs) {
        List<String> rest = done.escalateTo();
        if (rest.isEmpty() || !(done.escalateBelow() > 0) || confidence >= done.escalateBelow()) {
            return Optional.empty();
        }
        String next = rest.get(0);
        if (nowMs + expectedMs.applyAsDouble(next) > done.deadlineMs()) {
            return Optional.empty(); // would answer too late: the cheaper answer is worth more on time
        }
        return Optional.of(new NextStage(next, rest.subList(1, rest.size())));
    }
}
