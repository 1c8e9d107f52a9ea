package dev.sluice.decision.vote;

/**
 * How the aggregator combines a plan's members. The wire form is the Avro enum
 * {@code dev.sluice.avro.VoteMethod} with the same symbols (a test in the aggregator keeps the two
 * in step); decisions use this one so that they need no Avro.
 */
public enum VoteMethod {
    PASS_THROUGH, MAJORITY, WEIGHTED_MAJORITY, PROBABILITY_AVERAGE, SELF_CONSISTENCY, CASCADE,
    /** The element-wise mean of the members' output tensors ({@link TensorMeanVoter}): models whose answer is not a class. */
    MEAN;

    /** Whether this method combines output tensors ({@link #MEAN}) or passes one member's answer through, rather than votes for a class. */
    public boolean takesTensors() {
        return this == MEAN || this == PASS_THROUGH;
    }
}
