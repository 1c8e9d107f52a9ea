package dev.sluice.decision.replan;

import java.util.List;

/**
 * Where a task may go besides the variant it was sent to: the fields of an inference task that
 * re-planning and cascade escalation read. The executor builds it from the Avro
 * {@code InferenceTask}; the simulator builds it directly.
 *
 * @param variant the member the task is for (a variant, or one view of it)
 * @param deadlineMs the request's absolute deadline
 * @param fallbacks cheaper variants, most accurate first, the task may move to while queued (MOSEL)
 * @param escalateTo the cascade's stages still to try, in order
 * @param escalateBelow the confidence under which a cascade stage passes the request on; 0 or less: never
 */
public record TaskRouting(String variant, long deadlineMs, List<String> fallbacks, List<String> escalateTo,
                          float escalateBelow) {
    public TaskRouting {
        fallbacks = List.copyOf(fallbacks);
        escalateTo = List.copyOf(escalateTo);
    }
}
