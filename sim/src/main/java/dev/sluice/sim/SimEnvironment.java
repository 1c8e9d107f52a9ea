package dev.sluice.sim;

import dev.sluice.sim.answers.SampleAnswers;

/**
 * What a {@link Simulation} models around the decision code beyond profiles and hops.
 *
 * @param host the host every replica shares (null: each replica is a device of its own)
 * @param answers each variant's answers on the samples requests carry (null: accuracy coin flips)
 * @param selectors selector replicas: requests are spread over them by key (as Kafka Streams
 *     spreads the request topic's partitions), each decides with its own policy instance and its
 *     own {@code LoadView}, which hears every executor status (each after its own status hop) but
 *     only its own dispatches, as the selector's replicas do
 * @param selectorCommitMs 0, or the period on which the selector's output (plans and tasks)
 *     leaves it: what it decided since the last release goes out together at the next one, so
 *     tasks reach the executors in clumps, as Kafka Streams' commit interval and the producer's
 *     batching release them
 * @param parts how clients send a request of the task in several parts (null: every request whole)
 * @param requestLog null, or where every measured request's outcome goes ({@code sim --requests-csv})
 * @param busyHops null, or the hops to draw while requests arrive faster than its rate (the
 *     transport's queues grow with the load: {@code sim --validate} measures a policy's hops in the
 *     trace's busy seconds apart from its quiet ones)
 * @param fetchBackShare how often the fetch an executor sends right after a long batch is back by
 *     its next poll when a full batch waits (that poll does not wait for it): otherwise what reached
 *     the replica's partitions while the batch ran waits through the next batch too, and its status
 *     does not count it (1: always back, the default; {@code sim --validate} measures it per policy,
 *     {@code sluice.executor.prefetch.next.polls})
 * @param turnGapMs how long an executor's loop works between one batch's model run and the next
 *     when a full batch waits (polls, the outputs, commits, its status): the replica starts its next
 *     batch that long after one ends (0, the default: at once; {@code sim --validate} measures it per
 *     policy, {@code sluice.executor.turn.gap})
 */
public record SimEnvironment(SharedHost host, SampleAnswers answers, int selectors, long selectorCommitMs, SimParts parts,
                             SimOutcome.Log requestLog, BusyHops busyHops, double fetchBackShare, double turnGapMs) {
    /** Hop latencies for when the arrival rate (smoothed over 0.1 s) is above {@code aboveRps}. */
    public record BusyHops(dev.sluice.sim.hops.HopLatencies hops, double aboveRps) {
        public BusyHops {
            if (hops == null || !(aboveRps > 0)) {
                throw new IllegalArgumentException("busy hops need latencies and a positive rate, got " + aboveRps);
            }
        }
    }

    public static final SimEnvironment NONE = new SimEnvironment(null, null);

    public SimEnvironment {
        if (selectors < 1) {
            throw new IllegalArgumentException("need at least one selector replica, got " + selectors);
        }
        if (selectorCommitMs < 0) {
            throw new IllegalArgumentException("the selector's release period must be >= 0, got " + selectorCommitMs);
        }
        if (!(fetchBackShare >= 0 && fetchBackShare <= 1)) {
            throw new IllegalArgumentException("the share of fetches back in time must be in [0, 1], got " + fetchBackShare);
        }
        if (!(turnGapMs >= 0)) {
            throw new IllegalArgumentException("the executors' time between batches must be >= 0 ms, got " + turnGapMs);
        }
    }

    public SimEnvironment(SharedHost host, SampleAnswers answers, int selectors, long selectorCommitMs, SimParts parts,
            SimOutcome.Log requestLog, BusyHops busyHops) {
        this(host, answers, selectors, selectorCommitMs, parts, requestLog, busyHops, 1.0, 0);
    }

    public SimEnvironment(SharedHost host, SampleAnswers answers, int selectors, long selectorCommitMs) {
        this(host, answers, selectors, selectorCommitMs, null, null, null);
    }

    public SimEnvironment(SharedHost host, SampleAnswers answers) {
        this(host, answers, 1, 0);
    }

    public SimEnvironment(SharedHost host, SampleAnswers answers, int selectors) {
        this(host, answers, selectors, 0);
    }

    public SimEnvironment withSelectors(int n) {
        return new SimEnvironment(host, answers, n, selectorCommitMs, parts, requestLog, busyHops, fetchBackShare, turnGapMs);
    }

    /** Requests of the task sent in parts, as {@code p} says (null: whole). */
    public SimEnvironment withParts(SimParts p) {
        return new SimEnvironment(host, answers, selectors, selectorCommitMs, p, requestLog, busyHops, fetchBackShare, turnGapMs);
    }

    public SimEnvironment withRequestLog(SimOutcome.Log log) {
        return new SimEnvironment(host, answers, selectors, selectorCommitMs, parts, log, busyHops, fetchBackShare, turnGapMs);
    }

    public SimEnvironment withBusyHops(BusyHops b) {
        return new SimEnvironment(host, answers, selectors, selectorCommitMs, parts, requestLog, b, fetchBackShare, turnGapMs);
    }

    /** Every replica on {@code h} (null: each a device of its own). */
    public SimEnvironment withHost(SharedHost h) {
        return new SimEnvironment(h, answers, selectors, selectorCommitMs, parts, requestLog, busyHops, fetchBackShare, turnGapMs);
    }

    /** Executors that work {@code ms} between one batch and the next (see {@code turnGapMs}). */
    public SimEnvironment withTurnGapMs(double ms) {
        return new SimEnvironment(host, answers, selectors, selectorCommitMs, parts, requestLog, busyHops, fetchBackShare, ms);
    }

    /** Executors' fetches after a long batch back in time this often (see {@code fetchBackShare}). */
    public SimEnvironment withFetchBackShare(double share) {
        return new SimEnvironment(host, answers, selectors, selectorCommitMs, parts, requestLog, busyHops, share, turnGapMs);
    }
}
