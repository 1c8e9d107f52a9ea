package dev.sluice.decision.vote;

import java.util.List;

/** Combines the OK outputs of one request's members into one answer. Pure: no clock, no I/O. */
public interface Voter {
    /**
     * @param okOutputs outputs with status OK, at most one per variant, at least one
     * @throws IllegalArgumentException when the outputs do not suit this voter
     */
    VoteOutcome vote(List<MemberOutput> okOutputs);

    /**
     * Whether no outputs the outstanding members could still send would change the label
     * {@link #vote} gives for {@code okOutputs}. The default knows no arithmetic: it is
     * certain only when nothing is outstanding.
     *
     * @param okOutputs the OK outputs received so far, at least one
     * @param outstanding planned members that have not reported (failed members have reported)
     */
    default boolean cannotBeOverturned(List<MemberOutput> okOutputs, List<String> outstanding) {
        return outstanding.isEmpty();
    }

    /**
     * Whether the answer may go out now: nothing is outstanding, the outstanding members
     * cannot overturn the winner, or the vote's confidence reached {@code earlyConfidence}.
     *
     * @param okOutputs the OK outputs received so far (none: not settled unless nothing is outstanding)
     * @param earlyConfidence the plan's threshold; 0 or less turns the confidence rule off
     */
    default boolean isSettled(List<MemberOutput> okOutputs, List<String> outstanding, float earlyConfidence) {
        if (outstanding.isEmpty()) {
            return true;
        }
        if (okOutputs.isEmpty()) {
            return false;
        }
        return cannotBeOverturned(okOutputs, outstanding)
                || (earlyConfidence > 0 && vote(okOutputs).confidence() >= earlyConfidence);
    }
}
