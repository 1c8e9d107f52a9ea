package dev.sluice.launcher;

import dev.sluice.bench.overhead.ThreadCpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This JVM's CPU by thread, sampled once a period on a daemon thread ({@link ThreadCpu}: one read
 * of {@code /proc/self/task/}{@code *}{@code /stat}, a few ms of CPU), with running totals beside
 * it (counters such as the Streams stages' commits), so that afterwards a window of a run can say
 * where the cores went and how fast the totals grew: {@code sim --validate} asks it for each
 * policy's busy seconds, where the policies differ in how many executors and transport threads
 * share the cores.
 */
final class CpuTimeline implements AutoCloseable {
    private record Sample(long atMs, Map<Integer, ThreadCpu.ThreadTicks> threads, Map<String, Double> totals) {}

    private final List<Sample> samples = new ArrayList<>();
    private final Supplier<Map<String, Double>> totals;
    private final ScheduledExecutorService timer;

    private CpuTimeline(long periodMs, Supplier<Map<String, Double>> totals) {
        this.totals = totals;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "validate-cpu-timeline");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Samples from now on, every {@code periodMs}, the CPU by thread and {@code totals} (running totals by name). */
    static CpuTimeline start(long periodMs, Supplier<Map<String, Double>> totals) {
        if (periodMs < 1) {
            throw new IllegalArgumentException("the sampling period must be at least 1 ms, got " + periodMs);
        }
        return new CpuTimeline(periodMs, totals);
    }

    private void sample() {
        Sample s = new Sample(System.currentTimeMillis(), ThreadCpu.snapshot(), Map.copyOf(totals.get()));
        synchronized (samples) {
            samples.add(s);
        }
    }

    /**
     * Cores used per thread group ({@link ThreadCpu#coresByGroup}) and each total's rate (per
     * second) from the first sample at or after {@code fromMs} to the last at or before {@code toMs}
     * (wall clock); null when fewer than two samples fall in it.
     */
    Window window(long fromMs, long toMs, double minCores) {
        Sample first = null;
        Sample last = null;
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.atMs() >= fromMs && s.atMs() <= toMs) {
                    if (first == null) {
                        first = s;
                    }
                    last = s;
                }
            }
        }
        if (first == null || last == first) {
            return null;
        }
        double seconds = (last.atMs() - first.atMs()) / 1000.0;
        Map<String, Double> rates = new TreeMap<>();
        for (Map.Entry<String, Double> e : last.totals().entrySet()) {
            rates.put(e.getKey(), (e.getValue() - first.totals().getOrDefault(e.getKey(), 0.0)) / seconds);
        }
        return new Window(first.atMs(), last.atMs(), ThreadCpu.coresByGroup(first.threads(), last.threads(), seconds, minCores),
                rates);
    }

    /** Where the cores went from {@code fromMs} to {@code toMs}, by thread group, and how fast each total grew (per second). */
    record Window(long fromMs, long toMs, Map<String, Double> coresByGroup, Map<String, Double> ratesPerSecond) {
        double seconds() {
            return (toMs - fromMs) / 1000.0;
        }

        /** The cores of every group together. */
        double totalCores() {
            return coresByGroup.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
