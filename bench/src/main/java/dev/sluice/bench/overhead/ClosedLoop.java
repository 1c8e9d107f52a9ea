package dev.sluice.bench.overhead;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sustained throughput, closed loop: keeps {@code window} requests in flight (a new one goes
 * out as soon as one completes), lets the target warm up, then counts completions over the
 * measured window. With a window larger than throughput x latency the target, not the loop,
 * sets the pace; with long deadlines nothing is dropped, so nothing is counted that was not served.
 */
public final class ClosedLoop {
    private final int window;
    private final double warmupS;
    private final double measureS;
    private final double drainS;

    public ClosedLoop(int window, double warmupS, double measureS, double drainS) {
        if (window < 1 || measureS <= 0 || warmupS < 0) {
            throw new IllegalArgumentException("window >= 1, measure > 0 and warm-up >= 0 needed");
        }
        this.window = window;
        this.warmupS = warmupS;
        this.measureS = measureS;
        this.drainS = drainS;
    }

    public Sustained run(Target target) {
        return run(target, () -> {}, () -> {});
    }

    /** As {@link #run(Target)}, calling {@code atMeasureStart} and {@code atMeasureEnd} at the measured window's edges. */
    public Sustained run(Target target, Runnable atMeasureStart, Runnable atMeasureEnd) {
        Semaphore permits = new Semaphore(window);
        ConcurrentLinkedQueue<long[]> done = new ConcurrentLinkedQueue<>(); // {completedAt, latencyNanos}
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long from = start + (long) (warmupS * 1e9);
        long to = from + (long) (measureS * 1e9);
        boolean started = false;
        try {
            long now;
            while ((now = System.nanoTime()) < to) {
                if (!started && now >= from) {
                    started = true;
                    atMeasureStart.run();
                }
                if (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                long sent = System.nanoTime();
                target.send().whenComplete((reply, error) -> {
                    long at = System.nanoTime();
                    if (error == null && reply.ok()) {
                        done.add(new long[] {at, at - sent});
                    } else if (at >= from && at < to) {
                        failed.incrementAndGet();
                    }
                    permits.release();
                });
            }
            if (!started) {
                atMeasureStart.run();
            }
            atMeasureEnd.run();
            // let what is in flight finish, so it does not load the next measurement
            permits.tryAcquire(window, (long) (drainS * 1000), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long[] completions = done.stream().mapToLong(d -> d[0]).toArray();
        double[] latencies = done.stream().filter(d -> d[0] >= from && d[0] < to).mapToDouble(d -> d[1] / 1e6).toArray();
        return Sustained.of(completions, from, to, failed.get(), window, latencies);
    }
}
