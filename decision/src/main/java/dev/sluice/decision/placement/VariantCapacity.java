package dev.sluice.decision.placement;

import dev.sluice.models.Variant;

/**
 * One variant as a placement sees it: its accuracy, the memory a replica of it takes on a
 * device, and the requests per second one device serves with it alone.
 *
 * <p>{@link #of} plans throughput at the largest batch (up to the executor's {@code max_batch})
 * whose profiled p99 is at most half the deadline, as the Proteus artifact's simulator only
 * admits batch sizes whose profiled latency is under half the SLO, leaving the other half for
 * queueing (research/papers.md, "SLO definitions seen"). A variant whose batch of one already
 * takes more than half the deadline cannot be planned for ({@link #of} returns null).
 *
 * @param id the variant
 * @param accuracy its measured accuracy
 * @param memoryMb what one replica of it holds on a device (MB)
 * @param deviceRps requests per second one device serves running only this variant
 * @param planBatch the batch size {@code deviceRps} was planned at
 */
public record VariantCapacity(String id, double accuracy, double memoryMb, double deviceRps, int planBatch) {
    public VariantCapacity {
        if (!(deviceRps > 0) || !(memoryMb >= 0) || planBatch < 1) {
            throw new IllegalArgumentException("variant " + id + " needs a positive throughput, memory >= 0 and a batch >= 1, got "
                    + deviceRps + " rps, " + memoryMb + " MB, batch " + planBatch);
        }
    }

    /** {@code v} on the device its profile describes, for requests of {@code deadlineMs}; null when unplannable. */
    public static VariantCapacity of(Variant v, double deadlineMs) {
        if (!v.isProfiled()) {
            return null;
        }
        int max = Math.max(1, v.batching().maxBatch());
        for (int b = max; b >= 1; b--) {
            if (v.profile().p99Ms(b) <= deadlineMs / 2) {
                double rps = b * 1000.0 / Math.max(v.profile().p50Ms(b), 1e-9);
                return new VariantCapacity(v.id(), v.accuracy(), v.memoryMb() == null ? 0 : v.memoryMb(), rps, b);
            }
        }
        return null;
    }

    /** Device-seconds one request costs. */
    double deviceSecondsPerRequest() {
        return 1 / deviceRps;
    }
}
