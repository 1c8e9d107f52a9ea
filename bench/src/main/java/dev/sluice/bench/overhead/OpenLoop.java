package dev.sluice.bench.overhead;

import java.util.Map;

/**
 * Latency at a fixed offered load, open loop: Poisson arrivals at {@code rate} (seeded), sent
 * whether or not earlier requests were answered. Requests sent during warm-up are not counted.
 */
public final class OpenLoop {
    private final double rate;
    private final double warmupS;
    private final double measureS;
    private final double drainS;
    private final long seed;

    public OpenLoop(double rate, double warmupS, double measureS, double drainS, long seed) {
        if (rate <= 0 || measureS <= 0) {
            throw new IllegalArgumentException("rate and measured seconds must be > 0");
        }
        this.rate = rate;
        this.warmupS = warmupS;
        this.measureS = measureS;
        this.drainS = drainS;
        this.seed = seed;
    }

    public LatencyStats run(Target target) {
        return new InterleavedOpenLoop(rate, warmupS, measureS, drainS, seed).run(Map.of("target", target)).get("target");
    }
}
