package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.TASK;

import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.Variant;
import dev.sluice.decision.policy.CatalogFixtures;
import java.util.List;

/**
 * The fashion-mnist ladder in the shape of the real catalog: five variants, max batch 32,
 * max delay 2 ms, p50 at batch 1 / 8 / 32 as listed and p99 twice p50. Full-batch capacity per
 * core: linear 800k/s, mlp 188k/s, cnn-small 36k/s, vgg 5.3k/s, vgg-tta 1.07k/s.
 */
final class LadderFixtures {
    static final BatchingConfig BATCH32 = new BatchingConfig(32, 2.0);

    static final Variant LINEAR = rung("linear", 0.845, 0.02, 0.025, 0.04);
    static final Variant MLP = rung("mlp", 0.894, 0.03, 0.07, 0.17);
    static final Variant CNN = rung("cnn-small", 0.915, 0.05, 0.21, 0.88);
    static final Variant VGG = rung("vgg", 0.927, 0.3, 1.6, 6.0);
    static final Variant VGG_TTA = rung("vgg-tta", 0.934, 1.5, 8.0, 30.0);

    private LadderFixtures() {}

    static Variant rung(String id, double accuracy, double p50b1, double p50b8, double p50b32) {
        LatencyProfile profile = new LatencyProfile("cpu", 2, "2026-01-01T00:00:00Z", List.of(
                new LatencyPoint(1, p50b1, p50b1 * 1.5, p50b1 * 2),
                new LatencyPoint(8, p50b8, p50b8 * 1.5, p50b8 * 2),
                new LatencyPoint(32, p50b32, p50b32 * 1.5, p50b32 * 2)));
        return CatalogFixtures.variant(id, accuracy, profile, BATCH32);
    }

    /** Listed out of order on purpose, with an unprofiled variant that must never serve. */
    static Catalog ladder() {
        return new Catalog(List.of(VGG, LINEAR, VGG_TTA, CatalogFixtures.ORACLE, CNN, MLP));
    }

    static SelectionRequest request(String id, long nowMs, long slackMs, double minAccuracy) {
        return new SelectionRequest(id, TASK, nowMs, nowMs + slackMs, 0, minAccuracy, null, List.of("image"));
    }

    static SelectionRequest request(long nowMs, long slackMs, double minAccuracy, int priority, String tier) {
        return new SelectionRequest("r", TASK, nowMs, nowMs + slackMs, priority, minAccuracy, tier, List.of("image"));
    }

    static LoadSnapshot queued(Object... variantAndDepth) {
        java.util.Map<String, VariantLoad> m = new java.util.HashMap<>();
        for (int i = 0; i < variantAndDepth.length; i += 2) {
            m.put((String) variantAndDepth[i], new VariantLoad(((Number) variantAndDepth[i + 1]).longValue(), 0, 0));
        }
        return new LoadSnapshot(m);
    }
}
