package dev.sluice.launcher;

import dev.sluice.aggregator.WeightsFeedbackListener;
import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.KafkaSettings;
import dev.sluice.decision.vote.VariantWeights;
import dev.sluice.decision.vote.Voters;
import dev.sluice.models.Catalog;
import dev.sluice.schemas.SluiceSerdes;
import java.util.HashMap;
import java.util.Map;

/**
 * The aggregator's voters as every deployment runs them: weighted majority starts from the
 * catalog's measured accuracies and learns from ground truth on sluice.feedback. The embedded
 * stack and the standalone {@code sluice aggregator} both build them here, so weighted voting
 * is never plain majority in one and learning in the other.
 */
final class LearningVoters implements AutoCloseable {
    /** How many observations the catalog's accuracy counts for before feedback moves it. */
    static final int PRIOR_WEIGHT = 10;

    final Voters voters;
    private final WeightsFeedbackListener feedback;

    /** Starting from the catalog's accuracies now; a variant published later starts from its own. */
    LearningVoters(KafkaSettings kafka, SluiceSerdes serdes, LiveCatalog catalog) {
        voters = new Voters(VariantWeights.fromAccuracy(accuracies(catalog.get()), PRIOR_WEIGHT));
        catalog.onChange(c -> accuracies(c).forEach(voters.weights()::setMeasured));
        feedback = new WeightsFeedbackListener(kafka, serdes, voters.weights());
    }

    private static Map<String, Double> accuracies(Catalog catalog) {
        Map<String, Double> accuracy = new HashMap<>();
        catalog.variants().stream().filter(v -> v.accuracy() != null).forEach(v -> accuracy.put(v.id(), v.accuracy()));
        return accuracy;
    }

    @Override
    public void close() {
        feedback.close();
    }
}
