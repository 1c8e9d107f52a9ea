package dev.sluice.decision.aggregate;

/**
 * What the selector decided for a request. The wire form is the Avro enum
 * {@code dev.sluice.avro.PlanDecision} with the same symbols (a test in the aggregator keeps the
 * two in step).
 */
public enum PlanAction {
    SERVE, REJECT, INVALID,
    /** The deadline passed while the request waited inside Sluice, before the selector read it: not the client's fault. */
    EXPIRED
}
