package dev.sluice.decision.policy;

import dev.sluice.decision.vote.VoteMethod;
import java.util.List;

/**
 * A policy's answer: the variants that serve the request, or a rejection with its reason.
 * {@code vote} names how the aggregator combines the members (a VoteMethod symbol such as
 * PROBABILITY_AVERAGE), or is null to leave it to the selector (majority for several members).
 * {@code fallbacks} (MOSEL's re-planning) are cheaper variants, most accurate first, that the
 * executor may move the one member's task to while it is queued and would finish too late.
 */
public record Selection(boolean serve, List<String> variants, String reason, double estimatedLatencyMs, String vote,
                        double escalateBelow, List<String> fallbacks) {
    public Selection {
        variants = List.copyOf(variants);
        fallbacks = List.copyOf(fallbacks);
        if (serve && variants.isEmpty()) {
            throw new IllegalArgumentException("a served selection needs at least one variant");
        }
        if (vote != null) {
            VoteMethod.valueOf(vote); // fail in the policy, not in the selector's stream thread
        }
        if (VoteMethod.CASCADE.name().equals(vote) != (escalateBelow > 0)) {
            throw new IllegalArgumentException("a cascade, and only a cascade, has an escalation threshold: vote " + vote
                    + ", escalate below " + escalateBelow);
        }
        if (!fallbacks.isEmpty() && (variants.size() != 1 || escalateBelow > 0)) {
            throw new IllegalArgumentException("only a one-member, non-cascade selection has fallbacks: " + variants);
        }
        if (fallbacks.stream().anyMatch(variants::contains)) {
            throw new IllegalArgumentException("a fallback is the served variant itself: " + fallbacks);
        }
    }

    public Selection(boolean serve, List<String> variants, String reason, double estimatedLatencyMs, String vote,
                     double escalateBelow) {
        this(serve, variants, reason, estimatedLatencyMs, vote, escalateBelow, List.of());
    }

    public Selection(boolean serve, List<String> variants, String reason, double estimatedLatencyMs, String vote) {
        this(serve, variants, reason, estimatedLatencyMs, vote, 0);
    }

    public Selection(boolean serve, List<String> variants, String reason, double estimatedLatencyMs) {
        this(serve, variants, reason, estimatedLatencyMs, null);
    }

    public static Selection serve(List<String> variants, double estimatedLatencyMs) {
        return new Selection(true, variants, null, estimatedLatencyMs, null);
    }

    /** Served by {@code variants}, combined by the aggregator's {@code vote} method. */
    public static Selection serve(List<String> variants, double estimatedLatencyMs, String vote) {
        return new Selection(true, variants, null, estimatedLatencyMs, vote);
    }

    /**
     * A cascade: {@code stages[0]} serves first, and each stage passes the request on to the next
     * when its answer's confidence is under {@code escalateBelow}.
     */
    public static Selection cascade(List<String> stages, double estimatedLatencyMs, double escalateBelow) {
        if (stages.size() < 2) {
            throw new IllegalArgumentException("a cascade needs at least two stages: " + stages);
        }
        return new Selection(true, stages, null, estimatedLatencyMs, VoteMethod.CASCADE.name(), escalateBelow);
    }

    /** This selection with {@code fallbacks} for its one member's queued task. */
    public Selection withFallbacks(List<String> fallbacks) {
        return new Selection(serve, variants, reason, estimatedLatencyMs, vote, escalateBelow, fallbacks);
    }

    public boolean isCascade() {
        return escalateBelow > 0;
    }

    public static Selection reject(String reason) {
        return new Selection(false, List.of(), reason, Double.NaN, null, 0);
    }
}
