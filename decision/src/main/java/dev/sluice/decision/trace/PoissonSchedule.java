package dev.sluice.decision.trace;

import java.util.random.RandomGenerator;

/**
 * Poisson arrivals following a time-varying rate (thinning): exponential gaps at the trace's
 * peak rate, each kept with probability rate(t) / peak. Seeded, so runs repeat.
 */
public final class PoissonSchedule implements Schedule {
    private final RateTrace trace;
    private final double peak;
    private final RandomGenerator random;
    private double t;

    public PoissonSchedule(RateTrace trace, double peakRate, RandomGenerator random) {
        if (peakRate <= 0) {
            throw new IllegalArgumentException("peak rate must be > 0");
        }
        this.trace = trace;
        this.peak = peakRate;
        this.random = random;
    }

    @Override
    public double next() {
        while (true) {
            t += -Math.log(1 - random.nextDouble()) / peak;
            if (random.nextDouble() * peak <= trace.rateAt(t)) {
                return t;
            }
            if (t > 1e7) {
                throw new IllegalStateException("rate trace never reaches another request");
            }
        }
    }
}
