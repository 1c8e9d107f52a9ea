package dev.sluice.decision.vote;


/** The voter for each {@link VoteMethod} a plan can name; weighted voting reads the given weights. */
public final class Voters {
    private final Voter passThrough = new PassThroughVoter();
    private final Voter majority = new MajorityVoter();
    private final Voter probabilityAverage = new ProbabilityAveragingVoter();
    private final Voter cascade = new CascadeVoter();
    private final Voter mean = new TensorMeanVoter();
    private final Voter weightedMajority;
    private final Voter selfConsistency;
    private final VariantWeights weights;

    public Voters(VariantWeights weights, SelfConsistencyVoter selfConsistency) {
        this.weights = weights;
        this.weightedMajority = new WeightedMajorityVoter(weights);
        this.selfConsistency = selfConsistency;
    }

    public Voters(VariantWeights weights) {
        this(weights, new SelfConsistencyVoter());
    }

    /** Voters whose weighted majority weighs every variant the same until feedback arrives (10 classes). */
    public static Voters unweighted() {
        return new Voters(VariantWeights.uniform(10));
    }

    public Voter of(VoteMethod method) {
        return switch (method) {
            case PASS_THROUGH -> passThrough;
            case MAJORITY -> majority;
            case WEIGHTED_MAJORITY -> weightedMajority;
            case PROBABILITY_AVERAGE -> probabilityAverage;
            case SELF_CONSISTENCY -> selfConsistency;
            case CASCADE -> cascade;
            case MEAN -> mean;
        };
    }

    /** The weights weighted majority reads; feed ground truth to them. */
    public VariantWeights weights() {
        return weights;
    }

    @Override
    public String toString() {
        return "Voters[" + weights + ", " + selfConsistency + "]";
    }
}
