package dev.sluice.selector.policy;

import java.util.List;

/** A policy's answer: the variants that serve the request, or a rejection with its reason. */
public record Selection(boolean serve, List<String> variants, String reason, double estimatedLatencyMs) {
    public Selection {
        variants = List.copyOf(variants);
        if (serve && variants.isEmpty()) {
            throw new IllegalArgumentException("a served selection needs at least one variant");
        }
    }

    public static Selection serve(List<String> variants, double estimatedLatencyMs) {
        return new Selection(true, variants, null, estimatedLatencyMs);
    }

    public static Selection reject(String reason) {
        return new Selection(false, List.of(), reason, Double.NaN);
    }
}
