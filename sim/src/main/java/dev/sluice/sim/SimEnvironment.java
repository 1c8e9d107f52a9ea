package dev.sluice.sim;

import dev.sluice.sim.answers.SampleAnswers;

/**
 * What a {@link Simulation} models around the decision code beyond profiles and hops.
 *
 * @param host the host every replica shares (null: each replica is a device of its own)
 * @param answers each variant's answers on the samples requests carry (null: accuracy coin flips)
 * @param selectors selector replicas: requests are spread over them by key (as Kafka Streams
 *     spreads the request topic's partitions), each decides with its own policy instance and its
 *     own {@code LoadView}, which hears every executor status (each after its own status hop) but
 *     only its own dispatches, as the selector's replicas do
 */
public record SimEnvironment(SharedHost host, SampleAnswers answers, int selectors) {
    public static final SimEnvironment NONE = new SimEnvironment(null, null);

    public SimEnvironment {
        if (selectors < 1) {
            throw new IllegalArgumentException("need at least one selector replica, got " + selectors);
        }
    }

    public SimEnvironment(SharedHost host, SampleAnswers answers) {
        this(host, answers, 1);
    }

    public SimEnvironment withSelectors(int n) {
        return new SimEnvironment(host, answers, n);
    }
}
