package dev.sluice.aggregator;

import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.Vote;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plurality vote: the label with the most votes wins; a tie goes to the label with the higher
 * summed confidence, then to the lower label (so the result never depends on arrival order).
 */
public final class MajorityVoter implements Voter {
    private record Tally(int label, int count, double confidenceSum) {
        Tally add(float confidence) {
            return new Tally(label, count + 1, confidenceSum + confidence);
        }
    }

    private static final Comparator<Tally> BEST_FIRST = Comparator.comparingInt(Tally::count).reversed()
            .thenComparing(Comparator.comparingDouble(Tally::confidenceSum).reversed())
            .thenComparingInt(Tally::label);

    @Override
    public VoteOutcome vote(List<ModelOutput> okOutputs) {
        if (okOutputs.isEmpty()) {
            throw new IllegalArgumentException("majority vote needs at least one output");
        }
        Map<Integer, Tally> tallies = new TreeMap<>();
        List<Vote> votes = new ArrayList<>(okOutputs.size());
        for (ModelOutput o : okOutputs) {
            tallies.merge(o.getLabel(), new Tally(o.getLabel(), 1, o.getConfidence()),
                    (t, ignored) -> t.add(o.getConfidence()));
            votes.add(new Vote(o.getVariant(), o.getLabel(), o.getConfidence()));
        }
        Tally winner = tallies.values().stream().min(BEST_FIRST).orElseThrow();
        return new VoteOutcome(winner.label(), (float) (winner.confidenceSum() / winner.count()), votes);
    }
}
