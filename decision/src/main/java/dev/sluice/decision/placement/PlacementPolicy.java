package dev.sluice.decision.placement;

/**
 * Decides which variants run on which devices of a budget for a demand mix: a pure function of
 * the {@link PlacementProblem} (no clock, no randomness: the same problem gives the same
 * placement). Policies that re-plan say how often; the caller observes demand over that window
 * and asks again with the placement in force.
 */
public interface PlacementPolicy {
    /** The name it is looked up by ({@link PlacementPolicies}). */
    String name();

    /** How often the caller should re-plan from the demand observed since the last plan (ms); 0: placed once. */
    long replanEveryMs();

    Placement place(PlacementProblem problem);
}
