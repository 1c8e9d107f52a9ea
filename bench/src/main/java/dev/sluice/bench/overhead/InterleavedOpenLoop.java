package dev.sluice.bench.overhead;

import dev.sluice.decision.trace.PoissonSchedule;
import dev.sluice.decision.trace.RateTrace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency of several paths at once, open loop: one Poisson arrival stream at {@code rate}
 * (seeded), each arrival sent through a path drawn at random (seeded; so each path's arrivals are
 * Poisson too, at {@code rate / paths}), so that every path sees the same
 * machine at the same moments (on a shared or busy machine, paths measured one after another see
 * different ones, and their percentiles differ by more than the paths do). Requests sent during
 * warm-up are not counted. With one path it is {@link OpenLoop}.
 */
public final class InterleavedOpenLoop {
    /** Where the loop reads time and waits: the system's monotonic clock, or a test's own. */
    public interface Ticker {
        long nanoTime();

        /** Returns once {@link #nanoTime()} has reached {@code nanos}. */
        void parkUntil(long nanos);

        Ticker SYSTEM = new Ticker() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void parkUntil(long nanos) {
                long now;
                while ((now = System.nanoTime()) < nanos) {
                    LockSupport.parkNanos(Math.min(nanos - now, 500_000));
                }
            }
        };
    }

    private final Ticker ticker;
    private final double rate;
    private final double warmupS;
    private final double measureS;
    private final double drainS;
    private final long seed;

    public InterleavedOpenLoop(double rate, double warmupS, double measureS, double drainS, long seed) {
        this(Ticker.SYSTEM, rate, warmupS, measureS, drainS, seed);
    }

    /** As the public constructor, on {@code ticker}'s time. */
    public InterleavedOpenLoop(Ticker ticker, double rate, double warmupS, double measureS, double drainS, long seed) {
        this.ticker = java.util.Objects.requireNonNull(ticker, "ticker");
        if (rate <= 0 || measureS <= 0) {
            throw new IllegalArgumentException("rate and measured seconds must be > 0");
        }
        this.rate = rate;
        this.warmupS = warmupS;
        this.measureS = measureS;
        this.drainS = drainS;
        this.seed = seed;
    }

    /** Each path's latency; each is offered {@code rate / paths}. */
    public Map<String, LatencyStats> run(Map<String, Target> paths) {
        List<String> names = new ArrayList<>(paths.keySet());
        List<List<CompletableFuture<LatencyStats.Sample>>> measured = new ArrayList<>();
        names.forEach(n -> measured.add(new ArrayList<>()));
        PoissonSchedule schedule = new PoissonSchedule(RateTrace.steady(rate), rate, new SplittableRandom(seed));
        SplittableRandom pick = new SplittableRandom(seed + 1);
        long start = ticker.nanoTime();
        long from = start + (long) (warmupS * 1e9);
        long to = from + (long) (measureS * 1e9);
        while (true) {
            long due = start + (long) (schedule.next() * 1e9);
            if (due >= to) {
                break;
            }
            ticker.parkUntil(due);
            int path = pick.nextInt(names.size());
            long sent = ticker.nanoTime();
            CompletableFuture<LatencyStats.Sample> f = paths.get(names.get(path)).send().handle((reply, error) -> {
                double ms = (ticker.nanoTime() - sent) / 1e6;
                return error == null && reply.ok() ? new LatencyStats.Sample(true, ms, reply.computeMs(), reply.stages())
                        : LatencyStats.Sample.failed();
            });
            if (sent >= from) {
                measured.get(path).add(f);
            }
        }
        long drainUntil = ticker.nanoTime() + (long) (drainS * 1e9);
        Map<String, LatencyStats> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            List<LatencyStats.Sample> samples = new ArrayList<>();
            long unanswered = 0;
            for (CompletableFuture<LatencyStats.Sample> f : measured.get(i)) {
                try {
                    samples.add(f.get(Math.max(drainUntil - ticker.nanoTime(), 0), TimeUnit.NANOSECONDS));
                } catch (Exception e) {
                    unanswered++;
                }
            }
            out.put(names.get(i), LatencyStats.of(samples, unanswered, rate / names.size(), measureS));
        }
        return out;
    }
}
