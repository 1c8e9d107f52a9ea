package dev.sluice.decision.policy;

import dev.sluice.decision.equivalence.Substitutes;
import dev.sluice.models.Catalog;
import dev.sluice.decision.policy.ModalityStrategyTable.Candidate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MOSEL-style modality selection (Hu et al., EMNLP'24): per request, choose the modality subset
 * and the model that meet the accuracy floor within the deadline at the current load.
 *
 * <p>Offline: a {@link ModalityStrategyTable} per (catalog, task), built from the profiles and
 * cached per task until the catalog instance changes: for each modality subset, the
 * non-dominated variants using exactly that subset, cheapest first.
 *
 * <p>Online, over the table's candidates whose modalities are all present in the request
 * (checked here even though the selector already restricts the catalog):
 * <ol>
 *   <li>the cheapest candidate meeting the floor whose predicted latency at the live load
 *       ({@link LatencyEstimator}: queue, live cost per request) fits the deadline;
 *   <li>if none meets the floor in time (load, since some candidate would meet it when idle):
 *       shed rather than miss the deadline, serving the most accurate candidate that fits in
 *       time among those cheaper per request than the cheapest one meeting the floor (shedding
 *       must relieve the CPU, not move work to a costlier model), typically one using fewer
 *       modalities (image-only instead of image+audio). Counted
 *       in {@link #counts()} as below-floor, and as modalities-dropped when it uses fewer
 *       modalities than the request carries;
 *   <li>if nothing fits at all: REJECTED, naming the fastest predicted latency and the time left.
 * </ol>
 * A floor no present-modality candidate reaches even when idle is REJECTED as below the floor,
 * as the other policies do: shedding is an answer to load, not to an impossible floor.
 *
 * <p>Load beyond the request's own variant (the cheap part of what Proteus/INFaaS do): when the
 * cheapest candidate that meets the floor has at least one full batch queued, and another
 * candidate at least as accurate, at most {@link Config#spillCostFactor} times as costly per
 * request, has an empty queue and a shorter predicted latency, the request goes to that one.
 * Bounding the cost keeps it from spilling cheap requests onto a far costlier model, which on
 * a shared CPU would only take cycles from the queue it meant to relieve.
 *
 * <p>Re-planning queued work when load changes (MOSEL's other online part): each served task
 * carries {@link #fallbacks}, the cheaper candidates it may move to, and the executor holding it
 * moves it when its own queue would finish it after the deadline and a fallback would not.
 *
 * <p>Model equivalence (Sommelier): with {@link Config#preferSubstitutes} (the default), both
 * fallbacks try the catalog's substitutes first ({@link Substitutes}: cheaper variants that label
 * the validation split alike at least the chosen share of the time). Shedding serves the in-time
 * substitute of the variant that would have served at the floor that agrees with it most, before
 * the most accurate cheaper candidate; re-planning lists the served variant's substitutes first.
 * {@code mosel-accuracy} is the same policy choosing its fallbacks by accuracy alone, to compare.
 */
public final class MoselPolicy implements SelectionPolicy {
    /**
     * @param spillCostFactor how much costlier per request a spill target may be; below 1 disables spilling
     * @param maxFallbacks how many cheaper variants a task may be re-planned to while queued; 0 disables re-planning
     */
    public record Config(double spillCostFactor, int maxFallbacks, boolean preferSubstitutes) {
        public static final Config DEFAULTS = new Config(2.0, 3, true);

        public Config {
            if (!(spillCostFactor >= 0)) {
                throw new IllegalArgumentException("mosel: spill cost factor must be >= 0, got " + spillCostFactor);
            }
            if (maxFallbacks < 0) {
                throw new IllegalArgumentException("mosel: max fallbacks must be >= 0, got " + maxFallbacks);
            }
        }

        public Config(double spillCostFactor, int maxFallbacks) {
            this(spillCostFactor, maxFallbacks, DEFAULTS.preferSubstitutes());
        }

        public Config(double spillCostFactor) {
            this(spillCostFactor, DEFAULTS.maxFallbacks());
        }

        public Config withPreferSubstitutes(boolean prefer) {
            return new Config(spillCostFactor, maxFallbacks, prefer);
        }
    }

    /**
     * How this policy's decisions ended since it was built (for metrics: read and export as counters).
     * {@code atFloor}: served by a candidate meeting the floor ({@code spilled} of them moved off a long
     * queue); {@code belowFloor}: shed, served in time under the floor, {@code modalitiesDropped} of
     * them by a candidate using fewer modalities than the request carried, {@code substituted} of them by
     * a substitute of the variant that would have served at the floor; {@code rejected}.
     */
    public record Counts(long atFloor, long belowFloor, long modalitiesDropped, long spilled, long rejected,
                         long substituted) {
        public Counts(long atFloor, long belowFloor, long modalitiesDropped, long spilled, long rejected) {
            this(atFloor, belowFloor, modalitiesDropped, spilled, rejected, 0);
        }
    }

    /** The name of the policy that chooses its fallbacks by accuracy alone, ignoring substitutes. */
    public static final String ACCURACY_ONLY = "mosel-accuracy";

    private final LatencyEstimator estimator;
    private final Config config;
    private final String name;
    private final Tables tables = new Tables();
    private final Counters counters = new Counters();

    public MoselPolicy(LatencyEstimator estimator, Config config) {
        this(estimator, config, "mosel");
    }

    private MoselPolicy(LatencyEstimator estimator, Config config, String name) {
        this.estimator = estimator;
        this.config = config;
        this.name = name;
    }

    /** {@code mosel-accuracy}: MOSEL whose shedding and re-planning ignore the catalog's substitutes. */
    public static MoselPolicy accuracyOnly(LatencyEstimator estimator) {
        return new MoselPolicy(estimator, Config.DEFAULTS.withPreferSubstitutes(false), ACCURACY_ONLY);
    }

    public MoselPolicy(LatencyEstimator estimator) {
        this(estimator, Config.DEFAULTS);
    }

    @Override
    public String name() {
        return name;
    }

    /** The strategy table of {@code task} for {@code catalog}, built on first use and kept while the catalog is the same. */
    public ModalityStrategyTable table(Catalog catalog, String task) {
        return tables.get(catalog, task);
    }

    public Counts counts() {
        return counters.snapshot();
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        ModalityStrategyTable table = tables.get(catalog, req.task());
        if (table.isEmpty()) {
            counters.rejected.incrementAndGet();
            return Rejections.noProfiledVariant(req.task());
        }
        List<Candidate> usable = table.usableWith(req.modalities());
        Substitutes subs = config.preferSubstitutes() ? tables.substitutes(catalog) : Substitutes.NONE;
        Selection s = choose(table, usable, "using only modalities " + ModalityStrategyTable.subset(req.modalities()),
                req, load, nowMs, estimator, config.spillCostFactor(), counters, subs);
        return s.serve() && config.maxFallbacks() > 0
                ? s.withFallbacks(fallbacks(s.variants().get(0), usable, config.maxFallbacks(), subs)) : s;
    }

    /**
     * Where the served variant's task may move while queued (re-planning, done by its executor):
     * the candidates cheaper per request than it that use only modalities it uses, its substitutes
     * first (the most agreeing first), then the rest most accurate first (a tie goes to the
     * cheaper), at most {@code max}. Cheaper only: re-planning sheds work.
     */
    static List<String> fallbacks(String served, List<Candidate> usable, int max, Substitutes subs) {
        Candidate pick = usable.stream().filter(c -> c.id().equals(served)).findFirst().orElse(null);
        if (pick == null) {
            return List.of();
        }
        List<String> byAccuracy = usable.stream()
                .filter(c -> c != pick && c.msPerRequest() < pick.msPerRequest() && pick.modalities().containsAll(c.modalities()))
                .sorted(java.util.Comparator.comparingDouble(Candidate::accuracy).reversed()
                        .thenComparingDouble(Candidate::msPerRequest))
                .map(Candidate::id).toList();
        return subs.substitutesFirst(served, byAccuracy).stream().limit(max).toList();
    }

    static List<String> fallbacks(String served, List<Candidate> usable, int max) {
        return fallbacks(served, usable, max, Substitutes.NONE);
    }

    /**
     * The rule every modality policy applies to its candidates (cheapest first): cheapest meeting the
     * floor in time (with the optional spill), else a substitute of that one in time (the most agreeing;
     * {@code subs}, none for the baselines), else the most accurate in time, else rejected.
     */
    static Selection choose(ModalityStrategyTable table, List<Candidate> candidates, String scope, SelectionRequest req,
                            LoadSnapshot load, long nowMs, LatencyEstimator estimator, double spillCostFactor,
                            Counters counters) {
        return choose(table, candidates, scope, req, load, nowMs, estimator, spillCostFactor, counters, Substitutes.NONE);
    }

    static Selection choose(ModalityStrategyTable table, List<Candidate> candidates, String scope, SelectionRequest req,
                            LoadSnapshot load, long nowMs, LatencyEstimator estimator, double spillCostFactor,
                            Counters counters, Substitutes subs) {
        if (candidates.isEmpty()) {
            counters.rejected.incrementAndGet();
            return Selection.reject(String.format("no profiled variant of '%s' %s (variants use %s)",
                    req.task(), scope, table.subsets()));
        }
        double slackMs = req.deadlineMs() - nowMs;
        Map<String, Double> est = new HashMap<>();
        for (Candidate c : candidates) {
            est.put(c.id(), estimator.estimateMs(c.variant(), load.of(c.id())));
        }
        double bestAccuracy = 0;
        Candidate pick = null;
        for (Candidate c : candidates) {
            bestAccuracy = Math.max(bestAccuracy, c.accuracy());
            if (pick == null && c.accuracy() >= req.minAccuracy() && est.get(c.id()) <= slackMs) {
                pick = c;
            }
        }
        if (pick != null) {
            Candidate spill = spillTarget(pick, candidates, est, slackMs, load, spillCostFactor);
            if (spill != null) {
                counters.spilled.incrementAndGet();
                pick = spill;
            }
            counters.atFloor.incrementAndGet();
            return Selection.serve(List.of(pick.id()), est.get(pick.id()));
        }
        if (bestAccuracy < req.minAccuracy()) {
            counters.rejected.incrementAndGet();
            return Selection.reject(String.format("no variant of '%s' %s reaches min_accuracy %.4f (best %.4f)",
                    req.task(), scope, req.minAccuracy(), bestAccuracy));
        }
        // shedding means spending less: only candidates cheaper per request than the cheapest one
        // meeting the floor, so an overloaded CPU is never handed a costlier model
        Candidate atFloor = candidates.stream().filter(c -> c.accuracy() >= req.minAccuracy())
                .min(java.util.Comparator.comparingDouble(Candidate::msPerRequest)).orElse(null);
        double floorCost = atFloor == null ? Double.MAX_VALUE : atFloor.msPerRequest();
        Candidate shed = null;
        Candidate fastest = null;
        List<Candidate> cheaperInTime = new java.util.ArrayList<>();
        for (Candidate c : candidates) {
            double e = est.get(c.id());
            if (e <= slackMs && c.msPerRequest() < floorCost) {
                cheaperInTime.add(c);
                if (shed == null || c.accuracy() > shed.accuracy()) {
                    shed = c; // strictly more accurate only: ties stay with the cheaper, met first
                }
            }
            if (fastest == null || e < est.get(fastest.id())) {
                fastest = c;
            }
        }
        if (atFloor != null) { // equivalence: the substitute that answers most like the one that would have served
            Candidate sub = subs.mostAgreeing(atFloor.id(), cheaperInTime, Candidate::id).orElse(null);
            if (sub != null) {
                shed = sub;
                counters.substituted.incrementAndGet();
            }
        }
        if (shed != null) {
            counters.belowFloor.incrementAndGet();
            if (shed.modalities().size() < ModalityStrategyTable.subset(req.modalities()).size()) {
                counters.modalitiesDropped.incrementAndGet();
            }
            return Selection.serve(List.of(shed.id()), est.get(shed.id()));
        }
        counters.rejected.incrementAndGet();
        return Selection.reject(String.format(
                "no variant of '%s' %s finishes in time at any accuracy: fastest predicted %.1f ms (%s), %.1f ms left to the deadline",
                req.task(), scope, est.get(fastest.id()), fastest.id(), slackMs));
    }

    /** An idle, at least as accurate, not much costlier candidate that answers sooner than {@code pick}, whose queue is long. */
    private static Candidate spillTarget(Candidate pick, List<Candidate> candidates, Map<String, Double> est, double slackMs,
                                         LoadSnapshot load, double spillCostFactor) {
        if (spillCostFactor < 1 || load.of(pick.id()).queueAhead() < TaskVariants.maxBatch(pick.variant())) {
            return null;
        }
        Candidate best = null;
        for (Candidate c : candidates) {
            double e = est.get(c.id());
            if (c != pick && c.accuracy() >= pick.accuracy() && c.msPerRequest() <= spillCostFactor * pick.msPerRequest()
                    && load.of(c.id()).queueAhead() <= 0 && e <= slackMs && e < est.get(pick.id())
                    && (best == null || e < est.get(best.id()))) {
                best = c;
            }
        }
        return best;
    }

    /** Strategy tables per task, and the substitutes, for the current catalog instance. */
    static final class Tables {
        private final Map<String, ModalityStrategyTable> byTask = new HashMap<>();
        private Catalog builtFor;
        private Substitutes substitutes = Substitutes.NONE;

        synchronized ModalityStrategyTable get(Catalog catalog, String task) {
            rebuildFor(catalog);
            return byTask.computeIfAbsent(task, t -> ModalityStrategyTable.of(catalog, t));
        }

        synchronized Substitutes substitutes(Catalog catalog) {
            rebuildFor(catalog);
            return substitutes;
        }

        private void rebuildFor(Catalog catalog) {
            if (catalog != builtFor) {
                byTask.clear();
                builtFor = catalog;
                substitutes = Substitutes.of(catalog);
            }
        }
    }

    /** Outcome counters, shared by the stream threads. */
    static final class Counters {
        final AtomicLong atFloor = new AtomicLong();
        final AtomicLong belowFloor = new AtomicLong();
        final AtomicLong modalitiesDropped = new AtomicLong();
        final AtomicLong spilled = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong substituted = new AtomicLong();

        Counts snapshot() {
            return new Counts(atFloor.get(), belowFloor.get(), modalitiesDropped.get(), spilled.get(), rejected.get(),
                    substituted.get());
        }
    }
}
