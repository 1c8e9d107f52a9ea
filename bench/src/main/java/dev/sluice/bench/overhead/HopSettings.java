package dev.sluice.bench.overhead;

import dev.sluice.common.DeliveryMode;

/**
 * How one hop of the bare chain consumes, produces and commits: the settings the pipeline's
 * component at that position uses under a delivery mode.
 *
 * @param transactional outputs and consumed offsets commit in one Kafka transaction
 * @param readCommitted consumer isolation.level read_committed
 * @param lingerMs producer linger.ms
 * @param commitIntervalMs how often offsets (and the open transaction) commit; 0 = after every poll
 * @param clock what the commit interval counts from
 * @param maxPollRecords consumer max.poll.records
 */
public record HopSettings(String role, boolean transactional, boolean readCommitted, int lingerMs, long commitIntervalMs,
        CommitClock clock, int maxPollRecords) {

    /** Kafka Streams commits when the interval has passed since its last commit; the executor when its open transaction is that old. */
    public enum CommitClock { SINCE_LAST_COMMIT, SINCE_TRANSACTION_START }

    /** Kafka Streams' default max.poll.records. */
    static final int STREAMS_MAX_POLL_RECORDS = 1000;
    /** linger.ms the selector and aggregator set on their Streams producers. */
    static final int STREAMS_LINGER_MS = 5;

    /** The selector's position: Kafka Streams under the mode's upstream guarantee. */
    public static HopSettings selector(DeliveryMode mode, long streamsCommitMs) {
        boolean eos = mode.streamsGuarantee().startsWith("exactly_once");
        return new HopSettings("selector", eos, eos, STREAMS_LINGER_MS, streamsCommitMs, CommitClock.SINCE_LAST_COMMIT,
                STREAMS_MAX_POLL_RECORDS);
    }

    /**
     * The executor's position: a consumer-producer loop, read_committed, linger 0; under
     * exactly-once a transaction committed when {@code executorCommitMs} old, otherwise flush and
     * commit offsets after every poll.
     */
    public static HopSettings executor(DeliveryMode mode, long executorCommitMs, int maxBatch) {
        boolean tx = mode.transactional();
        return new HopSettings("executor", tx, true, 0, tx ? executorCommitMs : 0,
                CommitClock.SINCE_TRANSACTION_START, Math.max(maxBatch * 2, 64));
    }

    /** The aggregator's position: Kafka Streams under the mode's aggregator guarantee. */
    public static HopSettings aggregator(DeliveryMode mode, long streamsCommitMs) {
        boolean eos = mode.aggregatorGuarantee().startsWith("exactly_once");
        return new HopSettings("aggregator", eos, eos, STREAMS_LINGER_MS, streamsCommitMs, CommitClock.SINCE_LAST_COMMIT,
                STREAMS_MAX_POLL_RECORDS);
    }

    /** Whether a hop that has uncommitted work, last committed at {@code lastCommitMs} with a transaction opened at {@code openedAtMs}, commits now. */
    public boolean commitDue(long nowMs, long lastCommitMs, long openedAtMs) {
        if (commitIntervalMs <= 0) {
            return true;
        }
        long since = clock == CommitClock.SINCE_LAST_COMMIT ? lastCommitMs : openedAtMs;
        return nowMs - since >= commitIntervalMs;
    }

    /** How long a poll may block without delaying a due commit. */
    public long pollTimeoutMs(boolean pending, long nowMs, long lastCommitMs, long openedAtMs, long idleMs) {
        if (!pending) {
            return idleMs;
        }
        if (commitIntervalMs <= 0) {
            return 0;
        }
        long since = clock == CommitClock.SINCE_LAST_COMMIT ? lastCommitMs : openedAtMs;
        return Math.max(0, Math.min(idleMs, since + commitIntervalMs - nowMs));
    }
}
