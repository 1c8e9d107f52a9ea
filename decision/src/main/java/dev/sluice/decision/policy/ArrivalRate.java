package dev.sluice.decision.policy;

/**
 * Exponentially smoothed arrival rate on the caller's clock: each arrival adds 1/tau and the
 * sum decays as exp(-dt/tau), so under a steady rate r the estimate converges to r, and it
 * falls off by itself when arrivals stop. Not thread-safe: its owner holds the lock.
 */
final class ArrivalRate {
    private final double tauMs;
    private double perMs;
    private long lastMs = Long.MIN_VALUE;

    ArrivalRate(double tauMs) {
        if (tauMs <= 0) {
            throw new IllegalArgumentException("smoothing time must be > 0 ms, got " + tauMs);
        }
        this.tauMs = tauMs;
    }

    void arrive(long nowMs) {
        perMs = decayedTo(nowMs) + 1.0 / tauMs;
        lastMs = Math.max(lastMs, nowMs);
    }

    double perSecond(long nowMs) {
        return decayedTo(nowMs) * 1000.0;
    }

    private double decayedTo(long nowMs) {
        if (lastMs == Long.MIN_VALUE || nowMs <= lastMs) {
            return perMs; // out-of-order times do not inflate the rate
        }
        return perMs * Math.exp(-(nowMs - lastMs) / tauMs);
    }
}
