package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import dev.sluice.models.Variant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Cocktail's dynamic ensemble selection: per request, the smallest member set that meets the
 * request's accuracy floor and whose slowest member fits before its deadline. Candidates are
 * the single profiled variants (their own accuracy) and the catalog's ensembles; fewest members
 * win, then the cheapest (the slowest member's predicted latency), then the more accurate. The
 * plan carries the ensemble's vote method to the aggregator.
 *
 * <p>One scale: a variant's accuracy is measured on the test set, an ensemble's on the
 * validation split, where the zoo scores higher. An ensemble is credited with its measured gain
 * over its best member ({@code accuracy - single_best}, both on validation) added to that
 * member's test accuracy, so an ensemble never looks better than a single variant only because
 * it was measured on easier images.
 *
 * <p>Pruning: from ground truth ({@link #onFeedback}) the policy keeps each variant's accuracy
 * over its last {@code window} answers. A member of an ensemble whose online accuracy falls
 * more than {@code pruneMargin} below the mean of the ensemble's other members (all with at
 * least {@code minFeedback} answers) is pruned from that ensemble: the ensemble is then served
 * without it, credited with the catalog's measured accuracy of the reduced set under the same
 * vote when the catalog has it, else with the full ensemble's (the pruned member was being
 * outvoted). An ensemble reduced to one member is withdrawn: that variant competes on its own
 * accuracy. Pruning is undone when the member's window recovers.
 */
public final class CocktailPolicy implements SelectionPolicy {
    /**
     * @param window answers per variant the online accuracy is computed over
     * @param minFeedback answers a variant needs before it is judged (and before it judges others)
     * @param pruneMargin how far below its peers' mean (as a fraction, 0.05 = 5 points) a member may fall
     */
    public record Config(int window, int minFeedback, double pruneMargin) {
        public static final Config DEFAULTS = new Config(200, 50, 0.05);

        public Config {
            if (window < 1 || minFeedback < 1 || minFeedback > window) {
                throw new IllegalArgumentException("need 1 <= minFeedback <= window: " + minFeedback + ", " + window);
            }
            if (!(pruneMargin >= 0 && pruneMargin <= 1)) {
                throw new IllegalArgumentException("pruneMargin must be in [0,1]: " + pruneMargin);
            }
        }
    }

    /** One candidate: the members that serve, the accuracy promised, the vote (null for one variant). */
    record Candidate(List<String> members, double accuracy, String vote, double slowestMs) {}

    /** The last {@code window} answers of one variant, with how many of them were right. */
    private static final class Window {
        final Deque<Boolean> answers = new ArrayDeque<>();
        int correct;

        void add(boolean right, int size) {
            answers.addLast(right);
            correct += right ? 1 : 0;
            while (answers.size() > size) {
                correct -= answers.removeFirst() ? 1 : 0;
            }
        }
    }

    private final LatencyEstimator estimator;
    private final Config config;
    private final Map<String, Window> answers = new HashMap<>();

    public CocktailPolicy(LatencyEstimator estimator, Config config) {
        this.estimator = estimator;
        this.config = config;
    }

    @Override
    public String name() {
        return "cocktail";
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        TaskVariants tv = TaskVariants.of(catalog, req.task());
        if (tv.isEmpty()) {
            return Rejections.noProfiledVariant(req.task());
        }
        Map<String, Variant> profiled = tv.byId();
        Map<String, Double> estimateMs = tv.estimatesMs(estimator, load);
        List<Candidate> all = new ArrayList<>();
        for (Variant v : tv.byCost()) {
            all.add(new Candidate(List.of(v.id()), v.accuracy(), null, estimateMs.get(v.id())));
        }
        for (Ensemble e : catalog.ensemblesFor(req.task())) {
            if (!profiled.keySet().containsAll(e.members())) {
                continue; // an unprofiled member promises nothing
            }
            served(e, catalog, profiled).ifPresent(s -> all.add(new Candidate(s.members(), s.accuracy(), s.vote(),
                    s.members().stream().mapToDouble(estimateMs::get).max().orElseThrow())));
        }
        double slackMs = req.deadlineMs() - nowMs;
        double bestAccuracy = 0;
        double fastestAccurateMs = Double.MAX_VALUE;
        Candidate chosen = null;
        Comparator<Candidate> order = Comparator.<Candidate>comparingInt(c -> c.members().size())
                .thenComparingDouble(Candidate::slowestMs)
                .thenComparing(Comparator.comparingDouble(Candidate::accuracy).reversed());
        for (Candidate c : all) {
            bestAccuracy = Math.max(bestAccuracy, c.accuracy());
            if (c.accuracy() < req.minAccuracy()) {
                continue;
            }
            fastestAccurateMs = Math.min(fastestAccurateMs, c.slowestMs());
            if (c.slowestMs() <= slackMs && (chosen == null || order.compare(c, chosen) < 0)) {
                chosen = c;
            }
        }
        if (chosen != null) {
            return Selection.serve(chosen.members(), chosen.slowestMs(), chosen.vote());
        }
        if (fastestAccurateMs == Double.MAX_VALUE) {
            return Selection.reject(String.format("no variant or ensemble of '%s' reaches min_accuracy %.4f (best %.4f)",
                    req.task(), req.minAccuracy(), bestAccuracy));
        }
        return Selection.reject(String.format("no variant or ensemble with accuracy >= %.4f finishes in time: "
                + "fastest predicted %.1f ms, %.1f ms left to the deadline", req.minAccuracy(), fastestAccurateMs, slackMs));
    }

    /** How {@code e} is served now: without its pruned members, or not at all (empty) if one would remain. */
    Optional<Candidate> served(Ensemble e, Catalog catalog, Map<String, Variant> profiled) {
        Set<String> pruned = pruned(e);
        if (pruned.isEmpty()) {
            return Optional.of(new Candidate(e.members(), onTestScale(e, profiled), e.vote(), 0));
        }
        List<String> kept = e.members().stream().filter(m -> !pruned.contains(m)).toList();
        if (kept.size() < 2) {
            return Optional.empty();
        }
        double accuracy = catalog.ensembles().stream()
                .filter(o -> o.vote().equals(e.vote()) && Set.copyOf(o.members()).equals(Set.copyOf(kept)))
                .mapToDouble(o -> onTestScale(o, profiled)).findFirst().orElse(onTestScale(e, profiled));
        return Optional.of(new Candidate(kept, accuracy, e.vote(), 0));
    }

    /** The ensemble's validation gain over its best member, added to the best member's test accuracy. */
    static double onTestScale(Ensemble e, Map<String, Variant> profiled) {
        double bestMember = e.members().stream().mapToDouble(m -> profiled.get(m).accuracy()).max().orElseThrow();
        return Math.max(0, Math.min(1, bestMember + e.gain()));
    }

    /** The members of {@code e} pruned now: far below the mean of the others on recent ground truth. */
    public Set<String> pruned(Ensemble e) {
        Map<String, Double> acc = new HashMap<>();
        synchronized (answers) {
            for (String m : e.members()) {
                OptionalDouble a = onlineAccuracy(m);
                if (a.isEmpty()) {
                    return Set.of(); // not everyone judged yet: keep the ensemble as measured
                }
                acc.put(m, a.getAsDouble());
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (String m : e.members()) {
            double others = e.members().stream().filter(o -> !o.equals(m)).mapToDouble(acc::get).average().orElseThrow();
            if (acc.get(m) < others - config.pruneMargin()) {
                out.add(m);
            }
        }
        return out;
    }

    /** The variant's accuracy over its last {@code window} answers, once it has {@code minFeedback}. */
    public OptionalDouble onlineAccuracy(String variant) {
        synchronized (answers) {
            Window w = answers.get(variant);
            if (w == null || w.answers.size() < config.minFeedback()) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(w.correct / (double) w.answers.size());
        }
    }

    @Override
    public void onFeedback(String requestId, String variant, boolean correct, long nowMs) {
        synchronized (answers) {
            answers.computeIfAbsent(variant, k -> new Window()).add(correct, config.window());
        }
    }
}
