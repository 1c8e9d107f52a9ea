package dev.sluice.bench;

import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Model compute spent per request, counted from every member output on sluice.partials (the
 * ones the aggregator used and the ones it ignored as late alike): each output's batch time
 * divided by its batch size, so batching's savings are in the figure; likewise the executor
 * thread's CPU time in the run ({@code cpu_ms}), which a busy host inflates far less than wall
 * time and which is all of the run's CPU when models run on one intra-op thread. Thread-safe; keyed by
 * request id, read back per run by the run's id prefix.
 */
public final class ComputeTally {
    /**
     * One run's totals: compute in ms, member outputs, outputs that passed their request on to a
     * cascade's next stage, and queued tasks an executor re-planned to a fallback (MOVED).
     */
    public record Totals(double computeMs, long outputs, long escalations, long moves, double cpuMs) {
        public Totals(double computeMs, long outputs, long escalations) {
            this(computeMs, outputs, escalations, 0, 0);
        }
    }

    private record Entry(DoubleAdder computeMs, LongAdder outputs, LongAdder escalations, LongAdder moves,
                         DoubleAdder cpuMs) {}

    private final ConcurrentHashMap<String, Entry> byRequest = new ConcurrentHashMap<>();
    private volatile long lastOutputAtMs;

    public void add(ModelOutput o) {
        lastOutputAtMs = System.currentTimeMillis();
        Entry e = byRequest.computeIfAbsent(o.getRequestId(),
                k -> new Entry(new DoubleAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new DoubleAdder()));
        e.computeMs().add(o.getComputeMs() / Math.max(1, o.getBatchSize()));
        e.cpuMs().add(o.getCpuMs() / Math.max(1, o.getBatchSize()));
        e.outputs().increment();
        if (o.getStatus() == OutputStatus.MOVED) {
            e.moves().increment();
        } else if (o.getEscalatedTo() != null) {
            e.escalations().increment();
        }
    }

    /** When the last output was counted (epoch ms), 0 before any. */
    public long lastOutputAtMs() {
        return lastOutputAtMs;
    }

    /** Totals over the requests whose id starts with {@code prefix}. */
    public Totals totals(String prefix) {
        double ms = 0;
        long outputs = 0;
        long escalations = 0;
        long moves = 0;
        double cpuMs = 0;
        for (var kv : byRequest.entrySet()) {
            if (kv.getKey().startsWith(prefix)) {
                ms += kv.getValue().computeMs().sum();
                outputs += kv.getValue().outputs().sum();
                escalations += kv.getValue().escalations().sum();
                moves += kv.getValue().moves().sum();
                cpuMs += kv.getValue().cpuMs().sum();
            }
        }
        return new Totals(ms, outputs, escalations, moves, cpuMs);
    }

    /** Waits until no member output arrived for {@code quietMs}, at most {@code maxMs}: late outputs and queues left behind drain. */
    public void awaitQuiet(long quietMs, long maxMs) {
        long until = System.currentTimeMillis() + maxMs;
        do {
            try {
                Thread.sleep(Math.max(quietMs / 4, 50));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } while (System.currentTimeMillis() - lastOutputAtMs < quietMs && System.currentTimeMillis() < until);
    }

    /** {@code name} made fit for a request-id prefix (letters and digits, runs of others as one '_'). */
    public static String idPart(String name) {
        return name.replaceAll("[^A-Za-z0-9]+", "_");
    }
}
