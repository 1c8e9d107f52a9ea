package dev.sluice.decision.policy;

import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.List;

/**
 * RAMSIS's lookup table for one task, computed once from the profiles: for each variant and
 * deadline-slack bucket, the longest queue bucket (0, 1, 2, 4, ..., 256) at which its estimated
 * latency still fits. Queues round up and slack rounds down, so a hit is never optimistic.
 * From it, {@link #mostAccurate} gives the state -> action table (most accurate fitting variant).
 */
final class QueueStateTable {
    private static final int[] QUEUE_BUCKETS = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256};
    /** Slack buckets grow by 25% from 1 ms to about 10 s: at most a quarter of the slack is lost to rounding. */
    private static final double[] SLACK_BUCKETS = slackBuckets(1.0, 10_000, 1.25);

    private final List<Variant> byAccuracyDesc;
    private final int[][] longestQueueBucket; // [variant][slack bucket], -1 when even an empty queue misses

    QueueStateTable(TaskVariants tv, LatencyEstimator estimator) {
        List<Variant> asc = tv.byAccuracy();
        byAccuracyDesc = new ArrayList<>(asc.size());
        for (int i = asc.size() - 1; i >= 0; i--) {
            byAccuracyDesc.add(asc.get(i));
        }
        longestQueueBucket = new int[byAccuracyDesc.size()][SLACK_BUCKETS.length];
        for (int v = 0; v < byAccuracyDesc.size(); v++) {
            for (int s = 0; s < SLACK_BUCKETS.length; s++) {
                int longest = -1;
                for (int q = 0; q < QUEUE_BUCKETS.length; q++) {
                    // the estimate grows with the queue, so the first miss ends the row
                    if (estimator.estimateMs(byAccuracyDesc.get(v), new VariantLoad(QUEUE_BUCKETS[q], 0, 0)) > SLACK_BUCKETS[s]) {
                        break;
                    }
                    longest = q;
                }
                longestQueueBucket[v][s] = longest;
            }
        }
    }

    /** Variants, most accurate first, in the table's row order. */
    List<Variant> byAccuracyDesc() {
        return byAccuracyDesc;
    }

    /**
     * Whether the variant at {@code row} fits with {@code queued} tasks and {@code slackMs} left;
     * null beyond the largest queue bucket, where the table does not say.
     */
    Boolean fits(int row, long queued, double slackMs) {
        int q = queueBucket(queued);
        if (q < 0) {
            return null;
        }
        int s = slackBucket(slackMs);
        return s >= 0 && q <= longestQueueBucket[row][s];
    }

    /** The state -> action entry: the most accurate variant that fits, or null. */
    Variant mostAccurate(long queued, double slackMs) {
        for (int row = 0; row < byAccuracyDesc.size(); row++) {
            if (Boolean.TRUE.equals(fits(row, queued, slackMs))) {
                return byAccuracyDesc.get(row);
            }
        }
        return null;
    }

    /** The smallest bucket holding {@code queued} (rounding up), or -1 past the last. */
    static int queueBucket(long queued) {
        for (int q = 0; q < QUEUE_BUCKETS.length; q++) {
            if (Math.max(0, queued) <= QUEUE_BUCKETS[q]) {
                return q;
            }
        }
        return -1;
    }

    /** The largest bucket not above {@code slackMs} (rounding down), or -1 below the first. */
    static int slackBucket(double slackMs) {
        int found = -1;
        for (int s = 0; s < SLACK_BUCKETS.length && SLACK_BUCKETS[s] <= slackMs; s++) {
            found = s;
        }
        return found;
    }

    private static double[] slackBuckets(double firstMs, double lastMs, double growth) {
        List<Double> out = new ArrayList<>();
        for (double b = firstMs; b <= lastMs * growth; b *= growth) {
            out.add(b);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
