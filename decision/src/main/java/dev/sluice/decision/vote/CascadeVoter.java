package dev.sluice.decision.vote;

import java.util.List;

/**
 * A cascade: the plan's members are stages, cheapest first, and only the first was dispatched.
 * An executor that was unsure passes the request on to the next stage and says so in its
 * output ({@code escalated_to}). The answer is the last stage that answered; it is settled
 * when that stage did not pass the request on, or when the stage it passed it to has reported
 * (a failed or late stage leaves the earlier answer standing). Stages never dispatched are
 * compute saved, counted like the members an early decision skipped.
 */
public final class CascadeVoter implements Voter {
    @Override
    public VoteOutcome vote(List<MemberOutput> okOutputs) {
        if (okOutputs.isEmpty()) {
            throw new IllegalArgumentException("a cascade answer needs at least one stage's output");
        }
        MemberOutput last = okOutputs.get(okOutputs.size() - 1);
        return new VoteOutcome(last.label(), last.confidence(), MajorityVoter.votesOf(okOutputs));
    }

    @Override
    public boolean cannotBeOverturned(List<MemberOutput> okOutputs, List<String> outstanding) {
        MemberOutput last = okOutputs.get(okOutputs.size() - 1);
        String next = last.escalatedTo();
        return next == null || !outstanding.contains(next);
    }

    /** The confidence rule does not apply: a stage's own threshold already decided whether to go on. */
    @Override
    public boolean isSettled(List<MemberOutput> okOutputs, List<String> outstanding, float earlyConfidence) {
        if (outstanding.isEmpty()) {
            return true;
        }
        return !okOutputs.isEmpty() && cannotBeOverturned(okOutputs, outstanding);
    }

    @Override
    public String toString() {
        return "CascadeVoter";
    }
}
