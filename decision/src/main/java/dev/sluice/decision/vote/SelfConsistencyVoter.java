package dev.sluice.decision.vote;

import java.util.List;

/**
 * Self-consistency: N views (or samples) of one input by one variant, combined by majority with
 * adaptive stopping. The confidence is the leader's share of the views received. The answer may
 * go out once the leader's margin exceeds the views outstanding (it can no longer be overturned)
 * or, after at least {@code minViews} views, once the leader's share reaches the threshold: the
 * plan's {@code early_confidence} when set, else this voter's {@code shareThreshold}.
 */
public final class SelfConsistencyVoter implements Voter {
    public static final int DEFAULT_MIN_VIEWS = 3;
    public static final float DEFAULT_SHARE_THRESHOLD = 0.8f;

    private final int minViews;
    private final float shareThreshold;

    /**
     * @param minViews views needed before the share rule may stop early, at least 1
     * @param shareThreshold leader share in (0, 1] that stops early; above 1 turns the rule off
     */
    public SelfConsistencyVoter(int minViews, float shareThreshold) {
        if (minViews < 1) {
            throw new IllegalArgumentException("minViews must be at least 1: " + minViews);
        }
        if (!(shareThreshold > 0)) {
            throw new IllegalArgumentException("shareThreshold must be positive: " + shareThreshold);
        }
        this.minViews = minViews;
        this.shareThreshold = shareThreshold;
    }

    public SelfConsistencyVoter() {
        this(DEFAULT_MIN_VIEWS, DEFAULT_SHARE_THRESHOLD);
    }

    @Override
    public VoteOutcome vote(List<MemberOutput> okOutputs) {
        if (okOutputs.isEmpty()) {
            throw new IllegalArgumentException("self-consistency needs at least one view");
        }
        LabelTally.Entry winner = MajorityVoter.tally(okOutputs).winner();
        return new VoteOutcome(winner.label(), (float) winner.count() / okOutputs.size(),
                MajorityVoter.votesOf(okOutputs));
    }

    @Override
    public boolean cannotBeOverturned(List<MemberOutput> okOutputs, List<String> outstanding) {
        return outstanding.isEmpty() || MajorityVoter.tally(okOutputs).leadExceeds(outstanding.size());
    }

    @Override
    public boolean isSettled(List<MemberOutput> okOutputs, List<String> outstanding, float earlyConfidence) {
        if (outstanding.isEmpty()) {
            return true;
        }
        if (okOutputs.isEmpty()) {
            return false;
        }
        if (cannotBeOverturned(okOutputs, outstanding)) {
            return true;
        }
        float threshold = earlyConfidence > 0 ? earlyConfidence : shareThreshold;
        return okOutputs.size() >= minViews && vote(okOutputs).confidence() >= threshold;
    }

    @Override
    public String toString() {
        return "SelfConsistencyVoter[minViews=" + minViews + ", shareThreshold=" + shareThreshold + "]";
    }
}
