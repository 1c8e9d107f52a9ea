package dev.sluice.decision.batch;

/** Why a batch left the batcher. */
public enum FlushReason {
    /** the batch-size limit (max batch, or the adaptive size) reached */
    FULL,
    /** the largest preferred batch size within the limit reached */
    PREFERRED,
    /** the oldest task waited max_delay */
    MAX_DELAY,
    /** waiting longer would make a task miss its deadline */
    DEADLINE
}
