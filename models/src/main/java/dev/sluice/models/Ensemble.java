package dev.sluice.models;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A member set of the catalog with its voting rule and accuracy, both measured offline by
 * {@code sluice profile} on the validation split: {@code accuracy} of the ensemble, and
 * {@code singleBest} of its best member alone on the same images (so the gain is
 * {@code accuracy - singleBest}). Never typed in.
 */
public record Ensemble(List<String> members, String vote, Double accuracy, Double singleBest) {
    /** The voting rules an ensemble can name (the aggregator's VoteMethod symbols). */
    public static final Set<String> VOTES = Set.of("MAJORITY", "PROBABILITY_AVERAGE", "WEIGHTED_MAJORITY");

    public Ensemble {
        if (members == null || members.size() < 2) {
            throw new IllegalArgumentException("catalog ensemble needs at least two members: " + members);
        }
        members = List.copyOf(members);
        if (new TreeSet<>(members).size() != members.size()) {
            throw new IllegalArgumentException("catalog ensemble names a member twice: " + members);
        }
        if (vote == null || !VOTES.contains(vote)) {
            throw new IllegalArgumentException("catalog ensemble " + members + " has vote '" + vote + "'; one of "
                    + new TreeSet<>(VOTES));
        }
        requireFraction(accuracy, "accuracy", members);
        requireFraction(singleBest, "single_best", members);
    }

    private static void requireFraction(Double x, String field, List<String> members) {
        if (x == null || !(x >= 0 && x <= 1)) {
            throw new IllegalArgumentException("catalog ensemble " + members + " lacks '" + field + "' in [0,1]: " + x);
        }
    }

    /** Accuracy over the best member alone, in points of fraction (negative when the vote hurts). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public double gain() {
        return accuracy - singleBest;
    }

    /** Same members (in any order) and the same vote. */
    public boolean sameSetAs(Ensemble other) {
        return vote.equals(other.vote) && Set.copyOf(members).equals(Set.copyOf(other.members));
    }
}
