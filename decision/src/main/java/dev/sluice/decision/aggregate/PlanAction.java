package dev.sluice.decision.aggregate;

/**
 * What the selector decided for a request. The wire form is the Avro enum
 * {@code dev.sluice.avro.PlanDecision} with the same symbols (a test in the aggregator keeps the
 * two in step).
 */
public enum PlanAction {
    SERVE, REJECT, INVALID
}
