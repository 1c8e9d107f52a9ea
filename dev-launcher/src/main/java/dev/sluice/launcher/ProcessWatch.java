package dev.sluice.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples every child process's heap in use (from its /metrics) and resident memory (from
 * /proc) once a second, so that a benchmark can report each one's peak over a stretch of time.
 */
final class ProcessWatch implements AutoCloseable {
    /** One sample: when, whose, heap in use and resident memory in bytes (-1: unknown, e.g. not running). */
    record Sample(long atMs, String name, long heapBytes, long rssBytes, double cpuSeconds) {}

    private final List<ChildProcess> processes;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    ProcessWatch(List<ChildProcess> processes) {
        this.processes = List.copyOf(processes);
        this.thread = new Thread(this::run, "process-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            long t = System.currentTimeMillis();
            for (ChildProcess p : processes) {
                Sample s = new Sample(t, p.name, p.heapUsedBytes(), p.rssBytes(), p.cpuSeconds());
                synchronized (samples) {
                    samples.add(s);
                }
            }
            long rest = 1_000 - (System.currentTimeMillis() - t);
            if (rest > 0) {
                try {
                    Thread.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Per process, the largest heap in use (MiB) seen from {@code fromMs} to {@code toMs}; processes without a heap gauge are left out. */
    Map<String, Double> peakHeapMb(long fromMs, long toMs) {
        return peak(fromMs, toMs, true);
    }

    /** Per process, the largest resident memory (MiB) seen from {@code fromMs} to {@code toMs}. */
    Map<String, Double> peakRssMb(long fromMs, long toMs) {
        return peak(fromMs, toMs, false);
    }

    private Map<String, Double> peak(long fromMs, long toMs, boolean heap) {
        Map<String, Double> m = new LinkedHashMap<>();
        synchronized (samples) {
            for (Sample s : samples) {
                long v = heap ? s.heapBytes() : s.rssBytes();
                if (s.atMs() >= fromMs && s.atMs() <= toMs && v >= 0) {
                    m.merge(s.name(), Math.round(v / 1048576.0 * 10) / 10.0, Math::max);
                }
            }
        }
        return m;
    }

    /**
     * Per process, the CPU seconds it used from {@code fromMs} to {@code toMs} (the growth of its
     * CPU time between the first and last samples there; a process restarted in between counts
     * from its restart).
     */
    Map<String, Double> cpuSeconds(long fromMs, long toMs) {
        Map<String, double[]> firstLast = new LinkedHashMap<>();
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.atMs() < fromMs || s.atMs() > toMs || s.cpuSeconds() < 0) {
                    continue;
                }
                double[] fl = firstLast.computeIfAbsent(s.name(), k -> new double[] {s.cpuSeconds(), s.cpuSeconds(), 0});
                if (s.cpuSeconds() < fl[1]) { // restarted: bank what the old process used
                    fl[2] += fl[1] - fl[0];
                    fl[0] = s.cpuSeconds();
                }
                fl[1] = s.cpuSeconds();
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        firstLast.forEach((k, fl) -> m.put(k, Math.round((fl[1] - fl[0] + fl[2]) * 10) / 10.0));
        return m;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
