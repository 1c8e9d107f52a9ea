package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.decision.policy.ModalityStrategyTable.Candidate;
import java.util.List;

/**
 * The modality-agnostic baselines MOSEL is compared with, over the same strategy table and the
 * same rule as {@link MoselPolicy} (cheapest meeting the floor in time, else the most accurate in
 * time, else rejected; no load spill), each restricted to one modality subset:
 * <ul>
 *   <li>{@code all-modalities}: only variants consuming every modality the request carries
 *       (image+audio fusion for a two-part request, image variants for an image-only one); it
 *       never sheds a modality, so under load it can only fall back to a cheaper model of the
 *       same subset, or reject;
 *   <li>{@code image-only}: only variants consuming exactly [image], whatever else arrived;
 *       a request without its image part is rejected.
 * </ul>
 */
public final class ModalityBaselinePolicy implements SelectionPolicy {
    private enum Scope { ALL_PRESENT, IMAGE_ONLY }

    private final String name;
    private final Scope scope;
    private final LatencyEstimator estimator;
    private final MoselPolicy.Tables tables = new MoselPolicy.Tables();
    private final MoselPolicy.Counters counters = new MoselPolicy.Counters();

    private ModalityBaselinePolicy(String name, Scope scope, LatencyEstimator estimator) {
        this.name = name;
        this.scope = scope;
        this.estimator = estimator;
    }

    public static ModalityBaselinePolicy allModalities(LatencyEstimator estimator) {
        return new ModalityBaselinePolicy("all-modalities", Scope.ALL_PRESENT, estimator);
    }

    public static ModalityBaselinePolicy imageOnly(LatencyEstimator estimator) {
        return new ModalityBaselinePolicy("image-only", Scope.IMAGE_ONLY, estimator);
    }

    @Override
    public String name() {
        return name;
    }

    /** Outcomes so far; {@code modalitiesDropped} counts image-only answers to requests that carried more. */
    public MoselPolicy.Counts counts() {
        return counters.snapshot();
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        ModalityStrategyTable table = tables.get(catalog, req.task());
        if (table.isEmpty()) {
            counters.rejected.incrementAndGet();
            return Rejections.noProfiledVariant(req.task());
        }
        List<String> present = ModalityStrategyTable.subset(req.modalities());
        List<String> wanted = scope == Scope.ALL_PRESENT ? present : List.of("image");
        List<Candidate> candidates = present.containsAll(wanted) ? table.exactly(wanted) : List.of();
        String desc = scope == Scope.ALL_PRESENT ? "using exactly the modalities present " + present
                : "using exactly [image] (request has " + present + ")";
        return MoselPolicy.choose(table, candidates, desc, req, load, nowMs, estimator, 0, counters);
    }
}
