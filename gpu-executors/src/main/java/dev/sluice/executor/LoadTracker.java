package dev.sluice.executor;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.decision.policy.VariantLoad;
import dev.sluice.models.Variant;
import java.util.Optional;

/**
 * One variant executor's load, as its status tells the selectors: arrivals and completions
 * smoothed per status period, the recent batch cost and size (forgotten after {@link
 * VariantLoad#MEASURED_COST_TTL_MS} without a batch), and totals. Clock-free: callers
 * pass the time. Not thread-safe (the executor's loop owns it).
 */
final class LoadTracker {
    private final Variant variant;
    private final long statusIntervalMs;
    private double arrivalRate;
    private double throughput;
    private double batchMs;
    private double meanBatch = 1;
    private long arrivedSinceStatus;
    private long completedSinceStatus;
    private long completedTotal;
    private long droppedTotal;
    private long lastStatusMs;
    /** The status time at which a batch had last run since the status before; 0: none yet. */
    private long lastActiveMs;

    LoadTracker(Variant variant, long statusIntervalMs) {
        this.variant = variant;
        this.statusIntervalMs = statusIntervalMs;
    }

    /** A task was consumed. */
    void arrived() {
        arrivedSinceStatus++;
    }

    /** {@code n} tasks expired before they could run. */
    void dropped(int n) {
        droppedTotal += n;
    }

    /** A batch of {@code n} tasks ran in {@code computeMs}. */
    void ran(int n, double computeMs) {
        completedSinceStatus += n;
        completedTotal += n;
        batchMs = ewma(batchMs, computeMs);
        meanBatch = ewma(meanBatch, n);
    }

    /** The recent cost of one task here: the measured batches' per-task cost, else the profile's at batch 1, else 0. */
    double perTaskMs() {
        if (meanBatch > 0 && batchMs > 0) {
            return batchMs / meanBatch;
        }
        return variant.profile().isEmpty() ? 0 : variant.profile().p50Ms(1);
    }

    /**
     * What a batch of {@code limit} costs here: the recent measurement when recent batches were
     * nearly that full, else the profile at that size, else the recent per-task cost times it.
     */
    double fullBatchMs(int limit) {
        boolean measured = batchMs > 0 && meanBatch > 0;
        if (measured && meanBatch >= 0.75 * limit) {
            return batchMs * limit / meanBatch;
        }
        if (!variant.profile().isEmpty()) {
            return variant.profile().p50Ms(limit);
        }
        return measured ? batchMs / meanBatch * limit : 0;
    }

    /** Whether a status period has passed since the last status, at {@code nowMs}. */
    boolean statusDue(long nowMs) {
        return nowMs - lastStatusMs >= statusIntervalMs;
    }

    /**
     * The status to publish at {@code nowMs} when a period has passed since the last one (the
     * rates smoothed over it), or empty.
     *
     * @param queueDepth tasks waiting: consumer lag plus those held in the batcher
     */
    Optional<ExecutorStatus> statusIfDue(long nowMs, String executorId, String device, long queueDepth,
            int assignedPartitions) {
        if (!statusDue(nowMs)) {
            return Optional.empty();
        }
        double secs = lastStatusMs == 0 ? 1 : (nowMs - lastStatusMs) / 1000.0;
        if (completedSinceStatus > 0) {
            lastActiveMs = nowMs;
        } else if (lastActiveMs > 0 && nowMs - lastActiveMs >= VariantLoad.MEASURED_COST_TTL_MS) {
            batchMs = 0; // idle that long: the measured cost is stale, the profile speaks again
            meanBatch = 1;
        }
        arrivalRate = ewma(arrivalRate, arrivedSinceStatus / secs);
        throughput = ewma(throughput, completedSinceStatus / secs);
        arrivedSinceStatus = 0;
        completedSinceStatus = 0;
        lastStatusMs = nowMs;
        return Optional.of(ExecutorStatus.newBuilder().setExecutorId(executorId).setVariant(variant.id())
                .setDevice(device).setQueueDepth(queueDepth).setArrivalRate(arrivalRate)
                .setThroughput(throughput).setBatchLatencyMs(batchMs).setMeanBatchSize(meanBatch)
                .setCompletedTotal(completedTotal).setDroppedTotal(droppedTotal).setAssignedPartitions(assignedPartitions)
                .setUpdatedAtMs(nowMs).build());
    }

    private static double ewma(double prev, double x) {
        return prev == 0 ? x : 0.7 * prev + 0.3 * x;
    }
}
