package dev.sluice.bench.overhead;

import dev.sluice.decision.trace.PoissonSchedule;
import dev.sluice.decision.trace.RateTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
        PoissonSchedule schedule = new PoissonSchedule(RateTrace.steady(rate), rate, new SplittableRandom(seed));
        List<CompletableFuture<LatencyStats.Sample>> measured = new ArrayList<>();
        long start = System.nanoTime();
        long from = start + (long) (warmupS * 1e9);
        long to = from + (long) (measureS * 1e9);
        while (true) {
            long due = start + (long) (schedule.next() * 1e9);
            if (due >= to) {
                break;
            }
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 500_000));
            }
            long sent = System.nanoTime();
            CompletableFuture<LatencyStats.Sample> f = target.send().handle((reply, error) -> {
                double ms = (System.nanoTime() - sent) / 1e6;
                if (error != null) {
                    return LatencyStats.Sample.failed();
                }
                return reply.ok() ? new LatencyStats.Sample(true, ms, reply.computeMs(), reply.stages())
                        : LatencyStats.Sample.failed();
            });
            if (sent >= from) {
                measured.add(f);
            }
        }
        long drainUntil = System.nanoTime() + (long) (drainS * 1e9);
        for (CompletableFuture<LatencyStats.Sample> f : measured) {
            long left = drainUntil - System.nanoTime();
            try {
                f.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                break; // the rest count as unanswered
            }
        }
        List<LatencyStats.Sample> samples = new ArrayList<>(measured.size());
        long unanswered = 0;
        for (CompletableFuture<LatencyStats.Sample> f : measured) {
            LatencyStats.Sample s = f.getNow(null);
            if (s == null) {
                unanswered++;
            } else {
                samples.add(s);
            }
        }
        return LatencyStats.of(samples, unanswered, rate, measureS);
    }
}
