package dev.sluice.sim;

/**
 * Events per second, smoothed exponentially over their times: each event adds {@code 1 / tau},
 * and the sum decays as {@code exp(-dt / tau)}; a steady stream of {@code r} events per second
 * reads {@code r}. Time in nanoseconds of the simulation's clock, never going back.
 */
final class DecayingRate {
    private final double tauS;
    private double rate;
    private long atNs;

    DecayingRate(double tauS) {
        if (!(tauS > 0)) {
            throw new IllegalArgumentException("a rate's time constant must be > 0 s, got " + tauS);
        }
        this.tauS = tauS;
    }

    /** One event at {@code ns}. */
    void count(long ns) {
        rate = at(ns) + 1 / tauS;
        atNs = ns;
    }

    /** The rate at {@code ns}, no earlier than the last event. */
    double at(long ns) {
        double dt = (ns - atNs) / 1e9;
        return dt <= 0 ? rate : rate * Math.exp(-dt / tauS);
    }
}
