package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * RAMSIS-style queue-state selection: the most accurate variant meeting the floor that the
 * precomputed {@link QueueStateTable} says fits, given that variant's live queue and the
 * request's slack. Short queues (arrival lulls) therefore buy the heavier variants. Tables are
 * rebuilt when the catalog instance changes. Queues past the table's last bucket, and the
 * final say before a rejection, use the live estimate, so bucket rounding never turns a
 * request away.
 */
public final class RamsisPolicy implements SelectionPolicy {
    private final LatencyEstimator estimator;
    private final Map<String, QueueStateTable> tables = new HashMap<>();
    private Catalog tablesFor;

    public RamsisPolicy(LatencyEstimator estimator) {
        this.estimator = estimator;
    }

    @Override
    public String name() {
        return "ramsis";
    }

    synchronized QueueStateTable table(Catalog catalog, String task) {
        if (catalog != tablesFor) {
            tables.clear();
            tablesFor = catalog;
        }
        return tables.computeIfAbsent(task, t -> new QueueStateTable(TaskVariants.of(catalog, t), estimator));
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        QueueStateTable table = table(catalog, req.task());
        List<Variant> rows = table.byAccuracyDesc();
        if (rows.isEmpty()) {
            return Rejections.noProfiledVariant(req.task());
        }
        double slackMs = req.deadlineMs() - nowMs;
        boolean anyAccurate = false;
        Variant liveFit = null; // the most accurate the live estimate admits, should rounding miss it
        double liveFitMs = 0;
        double fastestMs = Double.MAX_VALUE;
        for (int row = 0; row < rows.size(); row++) {
            Variant v = rows.get(row);
            if (v.accuracy() < req.minAccuracy()) {
                break; // rows are by accuracy, the rest are below the floor too
            }
            anyAccurate = true;
            VariantLoad vl = load.of(v.id());
            Boolean fits = table.fits(row, (long) Math.ceil(vl.queueAhead()), slackMs);
            double est = estimator.estimateMs(v, vl);
            // the table is computed from the profiles; a live cost the executors report has the last word
            boolean live = vl.msPerRequest() > 0;
            if ((fits == null ? est <= slackMs : fits) && (!live || est <= slackMs)) {
                return Selection.serve(List.of(v.id()), est);
            }
            if (liveFit == null && est <= slackMs) {
                liveFit = v;
                liveFitMs = est;
            }
            fastestMs = Math.min(fastestMs, est);
        }
        if (!anyAccurate) {
            return Rejections.belowFloor(req.task(), req.minAccuracy(), rows.get(0).accuracy());
        }
        return liveFit != null ? Selection.serve(List.of(liveFit.id()), liveFitMs)
                : Rejections.tooSlow(req.minAccuracy(), fastestMs, slackMs);
    }
}
