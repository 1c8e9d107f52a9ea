package dev.sluice.decision.vote;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores per label for the vote-counting voters. The winner has the highest score, then the
 * higher summed confidence, then the lower label, so it never depends on arrival order.
 */
final class LabelTally {
    record Entry(int label, double score, double confidenceSum, int count) {
        Entry plus(double moreScore, float confidence) {
            return new Entry(label, score + moreScore, confidenceSum + confidence, count + 1);
        }

        double meanConfidence() {
            return confidenceSum / count;
        }
    }

    private static final Comparator<Entry> BEST_FIRST = Comparator.comparingDouble(Entry::score).reversed()
            .thenComparing(Comparator.comparingDouble(Entry::confidenceSum).reversed())
            .thenComparingInt(Entry::label);

    private final Map<Integer, Entry> entries = new TreeMap<>();

    LabelTally add(int label, double score, float confidence) {
        entries.merge(label, new Entry(label, score, confidence, 1), (e, ignored) -> e.plus(score, confidence));
        return this;
    }

    Entry winner() {
        return entries.values().stream().min(BEST_FIRST)
                .orElseThrow(() -> new IllegalArgumentException("no votes to count"));
    }

    /** The best score of any label but the winner's; 0 when only the winner has votes. */
    double runnerUpScore() {
        int winner = winner().label();
        return entries.values().stream().filter(e -> e.label() != winner).mapToDouble(Entry::score).max().orElse(0);
    }

    /**
     * Whether {@code outstanding} more score, all given to the runner-up (or to a label with no
     * votes yet), could neither overtake nor tie the winner. A tie is not safe: its tie-break
     * depends on confidences not yet known.
     */
    boolean leadExceeds(double outstanding) {
        return winner().score() - runnerUpScore() > outstanding;
    }
}
