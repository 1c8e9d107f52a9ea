package dev.sluice.bench.multimodal;

import java.util.List;

/**
 * How one strategy of {@code bench multimodal} sends each test sample.
 *
 * @param parts the modalities sent, one record each, {@code gapMs} apart in this order; a single
 *     entry listing several modalities (e.g. "image+audio") sends them together in one record
 * @param speculate whether the selector answers from the parts present before the last arrives
 * @param policy the selector policy for these requests
 * @param minAccuracy the accuracy floor these requests ask for
 * @param rateFactor multiplies the benchmark's rate (a load test runs above it)
 */
public record Strategy(String name, List<String> parts, boolean speculate, String policy, double minAccuracy,
        double rateFactor) {
    public Strategy {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("strategy " + name + " sends nothing");
        }
    }

    public boolean inParts() {
        return parts.size() > 1;
    }

    /** The modalities of one part ("image+audio" carries both). */
    public static List<String> modalities(String part) {
        return List.of(part.split("\\+"));
    }
}
