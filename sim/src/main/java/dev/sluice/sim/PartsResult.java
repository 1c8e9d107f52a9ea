package dev.sluice.sim;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What one run counted about requests in parts ({@link SimParts}); null in a {@link RunResult}
 * of whole requests.
 *
 * @param requests requests sent in parts
 * @param parts parts the selector read (a part read after its request's deadline is dropped, as the selector drops it)
 * @param held parts the selector held (the client asked not to speculate)
 * @param plans plan revisions the selector sent ({@code PartPlanner}: every re-plan but an unchanged one)
 * @param provisionalPlans of those, plans made with parts still missing
 * @param keptPrevious re-plans the policy rejected, whose previous members stood
 * @param awaited provisional plans without members (the policy could not serve the parts present)
 * @param provisionalAnswers provisional answers the aggregator sent ({@code RevisionDecider})
 * @param provisionalHeldBack provisional answers decided but not sent (the client wanted the final only)
 * @param finals final answers (every request in parts ends with one, or is rejected)
 * @param revised final answers that followed a provisional answer the client saw
 * @param corrected of those, finals whose label differs from the provisional one
 * @param firstAccuracy of the requests with a labelled first answer, how many had it right
 * @param firstMs time from the request's creation to the client receiving its first answer (provisional or final)
 * @param finalMs time from the request's creation to the client receiving its final answer
 */
public record PartsResult(long requests, long parts, long held, long plans, long provisionalPlans, long keptPrevious,
                          long awaited, long provisionalAnswers, long provisionalHeldBack, long finals, long revised,
                          long corrected, double firstAccuracy,
                          @JsonProperty("first_answer_ms") Map<String, Double> firstMs,
                          @JsonProperty("final_answer_ms") Map<String, Double> finalMs) {
}
