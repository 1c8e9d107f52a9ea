package dev.sluice.decision.trace;

/** Offered load over time: requests per second at {@code t} seconds from the start. */
@FunctionalInterface
public interface RateTrace {
    double rateAt(double tSeconds);

    /** The same rate throughout. */
    static RateTrace steady(double rps) {
        return t -> rps;
    }

    /** {@code base} rps with a burst of {@code factor} x base between {@code from} and {@code to} seconds. */
    static RateTrace steadyWithBurst(double base, double factor, double from, double to) {
        return t -> t >= from && t < to ? base * factor : base;
    }
}
