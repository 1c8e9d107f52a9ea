package dev.sluice.aggregator;

import dev.sluice.avro.VoteMethod;

/** The voter for each {@link VoteMethod} a plan can name. */
public final class Voters {
    private static final Voter PASS_THROUGH = new PassThroughVoter();
    private static final Voter MAJORITY = new MajorityVoter();

    private Voters() {}

    public static Voter of(VoteMethod method) {
        return switch (method) {
            case PASS_THROUGH -> PASS_THROUGH;
            case MAJORITY -> MAJORITY;
        };
    }
}
