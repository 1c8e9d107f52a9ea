package dev.sluice.models;

import java.util.List;
import java.util.TreeSet;

/**
 * A two-or-more-stage cascade measured offline by {@code sluice profile} on the validation split:
 * run {@code stages[0]}, and pass the request on to the next stage only when the answer's softmax
 * confidence is under {@code threshold}. {@code accuracy} is the cascade's, {@code escalationRate}
 * the fraction of images passed on from the first stage, {@code lastStageAccuracy} the last
 * stage's own accuracy on the same images (so the gain is {@code accuracy - lastStageAccuracy}).
 * Never typed in.
 */
public record Cascade(List<String> stages, double threshold, Double accuracy, Double escalationRate,
                      Double lastStageAccuracy) {
    public Cascade {
        if (stages == null || stages.size() < 2) {
            throw new IllegalArgumentException("catalog cascade needs at least two stages: " + stages);
        }
        stages = List.copyOf(stages);
        if (new TreeSet<>(stages).size() != stages.size()) {
            throw new IllegalArgumentException("catalog cascade names a stage twice: " + stages);
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("catalog cascade " + stages + " has threshold " + threshold + "; need (0,1]");
        }
        requireFraction(accuracy, "accuracy", stages);
        requireFraction(escalationRate, "escalation_rate", stages);
        requireFraction(lastStageAccuracy, "last_stage_accuracy", stages);
    }

    private static void requireFraction(Double x, String field, List<String> stages) {
        if (x == null || !(x >= 0 && x <= 1)) {
            throw new IllegalArgumentException("catalog cascade " + stages + " lacks '" + field + "' in [0,1]: " + x);
        }
    }

    public String first() {
        return stages.get(0);
    }

    /** The stages after the first, in order. */
    public List<String> escalations() {
        return stages.subList(1, stages.size());
    }

    /** Accuracy over the last stage alone, in points of fraction (negative when the cascade loses some). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public double gain() {
        return accuracy - lastStageAccuracy;
    }
}
