package dev.sluice.sim;

import dev.sluice.decision.aggregate.PlanView;
import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.models.Cascade;
import java.util.ArrayList;
import java.util.List;

/** One request's state across the simulated pipeline: what it asked, its plan, the outputs in so far. */
final class SimRequest {
    final int index;
    final String id;
    final long createdNs;
    final long createdMs;
    final long deadlineMs;
    final long deadlineNs;
    final double minAccuracy;
    final String tier;
    final int priority;

    PlanView plan;
    /** when the aggregator has the plan (ns) */
    long planAtNs = Long.MAX_VALUE;
    boolean planEventScheduled;
    /** the catalog cascade the plan runs, when it is one (its measured escalation rate and accuracy) */
    Cascade cascade;
    List<MemberOutput> outputs;
    boolean answered;
    /** the selector replica whose partition it lands on */
    int selector;
    /** its result, kept until the client's feedback about it is sent */
    dev.sluice.decision.aggregate.RequestResult result;
    /** when executors learn the aggregator answered early, so its queued tasks are skipped (ns) */
    long cancelAtNs = Long.MAX_VALUE;
    /** the selector's and the aggregator's state of a request sent in parts; null for a whole request */
    PartedRequests.State parts;

    SimRequest(int index, String id, long createdNs, long createdMs, long deadlineMs, long deadlineNs, double minAccuracy,
            String tier, int priority) {
        this.index = index;
        this.id = id;
        this.createdNs = createdNs;
        this.createdMs = createdMs;
        this.deadlineMs = deadlineMs;
        this.deadlineNs = deadlineNs;
        this.minAccuracy = minAccuracy;
        this.tier = tier;
        this.priority = priority;
    }

    void add(MemberOutput o) {
        if (outputs == null) {
            outputs = new ArrayList<>(2);
        }
        outputs.add(o);
    }

    List<MemberOutput> outputs() {
        return outputs == null ? List.of() : outputs;
    }
}
