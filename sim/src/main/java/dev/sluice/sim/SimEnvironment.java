package dev.sluice.sim;

import dev.sluice.sim.answers.SampleAnswers;

/**
 * What a {@link Simulation} models around the decision code beyond profiles and hops, each
 * optional.
 *
 * @param host the host every replica shares (null: each replica is a device of its own)
 * @param answers each variant's answers on the samples requests carry (null: accuracy coin flips)
 */
public record SimEnvironment(SharedHost host, SampleAnswers answers) {
    public static final SimEnvironment NONE = new SimEnvironment(null, null);
}
