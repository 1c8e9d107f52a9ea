package dev.sluice.decision.load;

import dev.sluice.decision.policy.LoadSnapshot;
import dev.sluice.decision.policy.VariantLoad;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a selector knows of executor load: the last status of every executor replica of every
 * variant, plus the tasks this selector dispatched since each replica's status (which that
 * replica cannot have counted yet). Pure and clock-free: statuses carry their own time, and
 * {@link #snapshot(long)} takes the time to judge staleness by; the Kafka selector and the
 * simulator drive the same class.
 *
 * <p>Where a new task waits: it lands on one partition of the variant's task topic, and so on
 * the replica that consumes it. Replica {@code r} consumes a share {@code s_r} of the partitions
 * (from the partition counts the replicas report; equal shares when some report none), so of
 * the {@code D - D_r} tasks dispatched since its status it received {@code s_r (D - D_r)}, and
 * a new task expects to wait behind {@code sum_r s_r (q_r + s_r (D - D_r))} tasks. The view
 * keeps the three sums that formula needs per variant, so a dispatch is O(1) and a snapshot is
 * O(variants); the sums are rebuilt only when a status arrives or a replica goes stale.
 *
 * <p>A replica whose last status is older than {@code staleAfterMs} drops out: a dead executor's
 * last word must not pin a variant as busy, nor count as capacity.
 *
 * <p>Thread-safe (the selector's status follower and its stream thread share one view).
 */
public final class LoadView {
    /** One replica's report for one variant, as an executor publishes it. */
    public record ReplicaStatus(String replicaId, String variant, long queueDepth, double throughputPerSec,
                                double msPerRequest, int partitions, long reportedAtMs) {}

    /** One replica as the view sees it now. {@code dispatchedSince}: its share of this selector's dispatches since its status. */
    public record ReplicaLoad(String replicaId, long queueDepth, double throughputPerSec, double msPerRequest,
                              double share, double dispatchedSince, long reportedAtMs) {}

    private static final class Replica {
        ReplicaStatus status;
        long dispatchedAtStatus; // the variant's dispatch counter when the status arrived
        double share;
    }

    private static final class VariantState {
        final Map<String, Replica> replicas = new LinkedHashMap<>();
        long dispatched;
        long dispatchedAtLastStatus;
        long oldestReportMs = Long.MAX_VALUE;
        boolean dirty = true;
        boolean membersChanged = true; // a replica joined or dropped out: the id set needs rebuilding
        // sums over live replicas, rebuilt when dirty
        Set<String> ids = Set.of();
        long queue;
        double shareQueue;      // sum s_r q_r
        double shareSq;         // sum s_r^2
        double shareSqMark;     // sum s_r^2 D_r
        double shareMark;       // sum s_r D_r
        double throughput;
        double msPerRequest;
        long newestReportMs;
    }

    private final long staleAfterMs;
    private final Map<String, VariantState> variants = new HashMap<>();

    public LoadView(long staleAfterMs) {
        if (staleAfterMs <= 0) {
            throw new IllegalArgumentException("staleness window must be positive, got " + staleAfterMs + " ms");
        }
        this.staleAfterMs = staleAfterMs;
    }

    public long staleAfterMs() {
        return staleAfterMs;
    }

    public synchronized void onStatus(ReplicaStatus s) {
        VariantState v = variants.computeIfAbsent(s.variant(), k -> new VariantState());
        Replica r = v.replicas.get(s.replicaId());
        if (r == null) {
            r = new Replica();
            v.replicas.put(s.replicaId(), r);
            v.membersChanged = true;
        }
        if (r.status != null && r.status.reportedAtMs() > s.reportedAtMs()) {
            return; // an older status redelivered (a compacted topic re-read): keep the newer one
        }
        r.status = s;
        r.dispatchedAtStatus = v.dispatched;
        v.dispatchedAtLastStatus = v.dispatched;
        v.dirty = true;
    }

    /** This selector sent one task to {@code variant}. */
    public synchronized void onDispatch(String variant) {
        variants.computeIfAbsent(variant, k -> new VariantState()).dispatched++;
    }

    public synchronized LoadSnapshot snapshot(long nowMs) {
        Map<String, VariantLoad> out = new HashMap<>(variants.size() * 2);
        variants.forEach((id, v) -> out.put(id, load(v, nowMs)));
        return new LoadSnapshot(out);
    }

    /** The live replicas of one variant, in the order they first reported. */
    public synchronized List<ReplicaLoad> replicas(String variant, long nowMs) {
        VariantState v = variants.get(variant);
        if (v == null) {
            return List.of();
        }
        refresh(v, nowMs);
        List<ReplicaLoad> out = new ArrayList<>(v.replicas.size());
        for (Replica r : v.replicas.values()) {
            ReplicaStatus s = r.status;
            out.add(new ReplicaLoad(s.replicaId(), s.queueDepth(), s.throughputPerSec(), s.msPerRequest(), r.share,
                    r.share * (v.dispatched - r.dispatchedAtStatus), s.reportedAtMs()));
        }
        return out;
    }

    private VariantLoad load(VariantState v, long nowMs) {
        refresh(v, nowMs);
        if (v.replicas.isEmpty()) {
            // no live replica: what this selector sent since the last status is all that is known to wait
            long sent = v.dispatched - v.dispatchedAtLastStatus;
            return new VariantLoad(Set.of(), sent, sent, 0, 0, nowMs);
        }
        long d = v.dispatched;
        double ahead = v.shareQueue + v.shareSq * d - v.shareSqMark;
        double total = v.queue + d - v.shareMark;
        return new VariantLoad(v.ids, Math.round(total), ahead, v.throughput, v.msPerRequest, v.newestReportMs);
    }

    /** Drops stale replicas and rebuilds the sums when something changed. */
    private void refresh(VariantState v, long nowMs) {
        if (nowMs - v.oldestReportMs > staleAfterMs) {
            v.membersChanged |= v.replicas.values().removeIf(r -> nowMs - r.status.reportedAtMs() > staleAfterMs);
            v.dirty = true;
        }
        if (!v.dirty) {
            return;
        }
        v.dirty = false;
        int n = v.replicas.size();
        long partitions = 0;
        boolean allReportPartitions = true;
        long oldest = Long.MAX_VALUE;
        long newest = 0;
        for (Replica r : v.replicas.values()) {
            partitions += Math.max(0, r.status.partitions());
            allReportPartitions &= r.status.partitions() > 0;
            oldest = Math.min(oldest, r.status.reportedAtMs());
            newest = Math.max(newest, r.status.reportedAtMs());
        }
        v.oldestReportMs = oldest;
        v.newestReportMs = newest;
        v.queue = 0;
        v.shareQueue = v.shareSq = v.shareSqMark = v.shareMark = v.throughput = 0;
        double costSum = 0;
        int costCount = 0;
        for (Replica r : v.replicas.values()) {
            ReplicaStatus s = r.status;
            r.share = allReportPartitions ? (double) s.partitions() / partitions : 1.0 / n;
            long q = Math.max(0, s.queueDepth());
            v.queue += q;
            v.shareQueue += r.share * q;
            v.shareSq += r.share * r.share;
            v.shareSqMark += r.share * r.share * r.dispatchedAtStatus;
            v.shareMark += r.share * r.dispatchedAtStatus;
            v.throughput += s.throughputPerSec();
            if (s.msPerRequest() > 0) {
                costSum += s.msPerRequest();
                costCount++;
            }
        }
        v.msPerRequest = costCount == 0 ? 0 : costSum / costCount;
        if (v.membersChanged) { // rebuilt on membership changes only: with hundreds of replicas, not on every status
            v.ids = Set.copyOf(v.replicas.keySet());
            v.membersChanged = false;
        }
    }
}
