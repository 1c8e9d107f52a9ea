package dev.sluice.decision.vote;

/**
 * How a member's run ended. The wire form is the Avro enum {@code dev.sluice.avro.OutputStatus}
 * with the same symbols (a test in the aggregator keeps the two in step).
 */
public enum MemberStatus {
    /** It answered: label, confidence and probabilities are set. */
    OK,
    /** It could not run before the request's deadline. */
    DEADLINE_EXCEEDED,
    /** It failed (bad input, a model error); the reason says why. */
    ERROR,
    /** Its task was re-planned while queued and went to the variant named in {@code escalatedTo}. */
    MOVED
}
