package dev.sluice.selector;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.decision.policy.LoadSnapshot;
import dev.sluice.decision.policy.VariantLoad;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The selector's view of executor load: the latest status each executor published per variant,
 * plus the tasks this selector dispatched since that status (which the executor cannot have
 * counted yet). Statuses older than {@code staleAfterMs} are ignored: a dead executor's last
 * word should not pin a variant as busy forever.
 */
public final class LiveLoadView {
    private record Reported(long queueDepth, double throughput, long atMs, double msPerRequest) {}

    private final Map<String, Reported> byExecutorVariant = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> dispatchedSinceStatus = new ConcurrentHashMap<>();
    private final long staleAfterMs;

    public LiveLoadView(long staleAfterMs) {
        this.staleAfterMs = staleAfterMs;
    }

    public void onStatus(ExecutorStatus s) {
        byExecutorVariant.put(s.getVariant() + "\u0000" + s.getExecutorId(),
                new Reported(s.getQueueDepth(), s.getThroughput(), s.getUpdatedAtMs(),
                        s.getMeanBatchSize() > 0 && s.getBatchLatencyMs() > 0 ? s.getBatchLatencyMs() / s.getMeanBatchSize() : 0));
        dispatchedSinceStatus.computeIfAbsent(s.getVariant(), k -> new AtomicLong()).set(0);
    }

    public void onDispatch(String variant) {
        dispatchedSinceStatus.computeIfAbsent(variant, k -> new AtomicLong()).incrementAndGet();
    }

    public LoadSnapshot snapshot(long nowMs) {
        Map<String, long[]> queue = new HashMap<>();
        Map<String, double[]> rate = new HashMap<>();
        Map<String, double[]> cost = new HashMap<>(); // sum, count of executors reporting a cost
        byExecutorVariant.forEach((key, r) -> {
            if (nowMs - r.atMs() > staleAfterMs) {
                return;
            }
            String variant = key.substring(0, key.indexOf('\u0000'));
            queue.computeIfAbsent(variant, k -> new long[1])[0] += r.queueDepth();
            rate.computeIfAbsent(variant, k -> new double[1])[0] += r.throughput();
            if (r.msPerRequest() > 0) {
                double[] c = cost.computeIfAbsent(variant, k -> new double[2]);
                c[0] += r.msPerRequest();
                c[1]++;
            }
        });
        Map<String, VariantLoad> out = new HashMap<>();
        dispatchedSinceStatus.forEach((v, n) -> queue.computeIfAbsent(v, k -> new long[1])[0] += n.get());
        queue.forEach((v, q) -> {
            double[] c = cost.get(v);
            out.put(v, new VariantLoad(q[0], rate.getOrDefault(v, new double[1])[0], nowMs, c == null ? 0 : c[0] / c[1]));
        });
        return new LoadSnapshot(out);
    }
}
