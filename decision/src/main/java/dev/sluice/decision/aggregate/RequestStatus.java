package dev.sluice.decision.aggregate;

/**
 * How a request ended. The wire form is the Avro enum {@code dev.sluice.avro.ResultStatus} with
 * the same symbols (a test in the aggregator keeps the two in step).
 */
public enum RequestStatus {
    /** Voted over the members it waited for (all, or those that settled it early). */
    OK,
    /** The deadline passed with some members' votes in. */
    PARTIAL,
    /** The deadline passed with no vote, or every member was late. */
    DEADLINE_EXCEEDED,
    /** Admission control turned it away. */
    REJECTED,
    /** Bad input, a plan that cannot be served, or every member failed. */
    INVALID
}
