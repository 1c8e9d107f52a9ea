package dev.sluice.executor.batch;

/** Why a batch left the batcher. */
public enum FlushReason {
    /** max batch size reached */
    FULL,
    /** the oldest task waited max_delay */
    MAX_DELAY,
    /** waiting longer would make the oldest task miss its deadline */
    DEADLINE
}
