package dev.sluice.sim;

import dev.sluice.decision.batch.Batchable;
import dev.sluice.decision.replan.TaskRouting;
import java.util.List;

/**
 * One member's task, as the selector (or an executor escalating or re-planning) sends it to a
 * variant's replica. Times the batcher reads are in epoch ms of the virtual clock.
 */
final class SimTask implements Batchable {
    final SimRequest request;
    /** the member id: a variant, or one view of it */
    final String member;
    /** the variant whose replicas run it */
    final String variant;
    final List<String> fallbacks;
    final List<String> escalateTo;
    final float escalateBelow;
    /** when it was sent (ns, virtual): the queue stage runs from here to its batch's start */
    final long enqueuedNs;
    /** when it reached its replica's partition (ns, virtual) */
    long reachedNs;
    /** when its replica polled it (epoch ms, virtual) */
    long arrivalMs;
    /** whether it is the first stage of a cascade (its confidence decides the escalation) */
    final boolean firstStage;
    /** the replica whose partition it lands on */
    Replica replica;
    /** what it reported, on its way to the aggregator */
    dev.sluice.decision.vote.MemberOutput output;

    SimTask(SimRequest request, String member, String variant, List<String> fallbacks, List<String> escalateTo,
            float escalateBelow, long enqueuedNs, boolean firstStage) {
        this.request = request;
        this.member = member;
        this.variant = variant;
        this.fallbacks = fallbacks;
        this.escalateTo = escalateTo;
        this.escalateBelow = escalateBelow;
        this.enqueuedNs = enqueuedNs;
        this.firstStage = firstStage;
    }

    @Override
    public long arrivalMs() {
        return arrivalMs;
    }

    @Override
    public long deadlineMs() {
        return request.deadlineMs;
    }

    @Override
    public int priority() {
        return request.priority;
    }

    TaskRouting routing() {
        return new TaskRouting(member, request.deadlineMs, fallbacks, escalateTo, escalateBelow);
    }
}
