package dev.sluice.decision.policy;

import dev.sluice.decision.vote.Ballot;
import dev.sluice.models.Cascade;
import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Clipper's contextual bandit over configurations (Exp4, Auer et al. 2002): the arms are every
 * way the catalog can serve the request's task (a single variant, a measured ensemble under its
 * vote, a measured cascade), and a small set of experts each turn the request's context (its
 * accuracy floor and the time left to its deadline, against each arm's credited accuracy, cost
 * per request and predicted latency at the live load) into advice: a distribution over the arms
 * that meet the floor in time. The policy mixes the advice by the experts' weights, adds uniform
 * exploration ({@code gamma}), draws an arm, and learns from ground truth on {@code sluice.feedback}
 * which experts to trust: reward 1 - {@code costWeight} x (the arm's cost over the costliest arm
 * offered) when the configuration's answer was right, 0 when wrong, importance-weighted by the
 * probability of the draw.
 *
 * <p>Arms dominated by another (no more accurate, no cheaper) are left out: uniform exploration over
 * every ensemble of the catalog would mostly run costly member sets no expert would choose. The arms
 * are built once per catalog instance; only their predicted latency is computed per request.
 *
 * <p>The experts: the cheapest arm (INFaaS's rule), the most accurate arm (fixed-high's, within
 * the deadline), the cheapest single variant, the most accurate ensemble, the cheapest cascade,
 * the arm with the most accuracy above the floor per ms, and uniform. An expert with nothing of
 * its kind among the arms offered advises uniformly.
 *
 * <p>Accuracy is credited on one scale, as {@link CocktailPolicy} and {@link CascadePolicy} do:
 * test accuracy for a variant; a measured ensemble's or cascade's validation gain over its best
 * member (last stage), added to that member's test accuracy, a cascade never above its last stage.
 * Draws are kept per request id (at most {@code maxPending}, the oldest forgotten first) so that
 * with several selector replicas each learns only from its own draws, as {@link ClipperBanditPolicy}.
 * A drawn arm predicted to miss the deadline cannot happen (only arms in time are offered).
 */
public final class Exp4Policy implements SelectionPolicy {
    public static final String NAME = "exp4";

    public record Config(double gamma, double costWeight, int maxPending) {
        public static final Config DEFAULTS = new Config(0.1, 0.3, 10_000);

        public Config {
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("exp4: gamma must be in (0, 1], got " + gamma);
            }
            if (!(costWeight >= 0 && costWeight < 1)) {
                throw new IllegalArgumentException("exp4: cost weight must be in [0, 1), got " + costWeight);
            }
            if (maxPending < 1) {
                throw new IllegalArgumentException("exp4: max pending draws must be >= 1");
            }
        }
    }

    /** How a configuration runs. */
    public enum Kind { SINGLE, ENSEMBLE, CASCADE }

    /**
     * One configuration: its members (stages, for a cascade, in order), the vote (ensembles) or
     * threshold (cascades), the accuracy credited, cost per request in ms, predicted latency now.
     */
    public record Arm(Kind kind, List<String> members, String vote, double threshold, double accuracy, double costMs,
                      double worstMs) {
        public Arm {
            members = List.copyOf(members);
        }

        Arm withWorstMs(double ms) {
            return new Arm(kind, members, vote, threshold, accuracy, costMs, ms);
        }

        public String key() {
            return switch (kind) {
                case SINGLE -> members.get(0);
                case ENSEMBLE -> String.join("+", members) + ":" + vote.toLowerCase();
                case CASCADE -> String.join(">", members) + "@" + threshold;
            };
        }
    }

    /** An expert: context and arms (meeting the floor in time, cheapest first) to advice over them. */
    interface Expert {
        String name();

        double[] advise(List<Arm> arms, double minAccuracy, double slackMs);
    }

    /** A draw awaiting feedback: the arm, the probability it had, each expert's advice for it, and its reward scale. */
    private record Draw(Arm arm, double probability, double[] advice, int arms, double costShare) {}

    private final LatencyEstimator estimator;
    private final Config config;
    private final RandomGenerator random;
    private final List<Expert> experts = defaultExperts();
    private final double[] logWeights;
    private final Map<String, List<Arm>> armsByTask = new HashMap<>();
    private Catalog armsFor;
    private final LinkedHashMap<String, Draw> pending = new LinkedHashMap<>();
    private long rewarded;

    public Exp4Policy(LatencyEstimator estimator, Config config, RandomGenerator random) {
        this.estimator = estimator;
        this.config = config;
        this.random = random;
        this.logWeights = new double[experts.size()];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        TaskVariants tv = TaskVariants.of(catalog, req.task());
        if (tv.isEmpty()) {
            return Rejections.noProfiledVariant(req.task());
        }
        Map<String, Double> estimates = tv.estimatesMs(estimator, load);
        List<Arm> all = front(req.task(), catalog, tv).stream().map(a -> a.withWorstMs(worstMs(a, estimates))).toList();
        double slackMs = req.deadlineMs() - nowMs;
        List<Arm> atFloor = all.stream().filter(a -> a.accuracy() >= req.minAccuracy()).toList();
        if (atFloor.isEmpty()) {
            return Rejections.belowFloor(req.task(), req.minAccuracy(), all.stream().mapToDouble(Arm::accuracy).max().orElse(0));
        }
        List<Arm> offered = atFloor.stream().filter(a -> a.worstMs() <= slackMs)
                .sorted(Comparator.comparingDouble(Arm::costMs)).toList();
        if (offered.isEmpty()) {
            return Rejections.tooSlow(req.minAccuracy(), atFloor.stream().mapToDouble(Arm::worstMs).min().orElseThrow(), slackMs);
        }
        double[][] advice = new double[experts.size()][];
        for (int i = 0; i < experts.size(); i++) {
            advice[i] = experts.get(i).advise(offered, req.minAccuracy(), slackMs);
        }
        double maxCost = offered.stream().mapToDouble(Arm::costMs).max().orElse(0);
        synchronized (this) {
            double[] p = probabilities(advice, offered.size());
            int k = draw(p);
            double[] forArm = new double[experts.size()];
            for (int i = 0; i < experts.size(); i++) {
                forArm[i] = advice[i][k];
            }
            Arm arm = offered.get(k);
            remember(req.id(), new Draw(arm, p[k], forArm, offered.size(), maxCost > 0 ? arm.costMs() / maxCost : 0));
            return selection(arm);
        }
    }

    static Selection selection(Arm arm) {
        return switch (arm.kind()) {
            case SINGLE -> Selection.serve(arm.members(), arm.worstMs());
            case ENSEMBLE -> Selection.serve(arm.members(), arm.worstMs(), arm.vote());
            case CASCADE -> Selection.cascade(arm.members(), arm.worstMs(), arm.threshold());
        };
    }

    /** The arms of {@code task} not dominated by another, built once per catalog instance (latency left at 0). */
    private synchronized List<Arm> front(String task, Catalog catalog, TaskVariants tv) {
        if (catalog != armsFor) {
            armsByTask.clear();
            armsFor = catalog;
        }
        return armsByTask.computeIfAbsent(task, t -> front(arms(t, catalog, tv, Map.of())));
    }

    /** The arms no other arm dominates: none at least as accurate and at most as costly, better in one. */
    static List<Arm> front(List<Arm> arms) {
        List<Arm> out = new ArrayList<>();
        for (Arm a : arms) {
            boolean dominated = arms.stream().anyMatch(b -> b != a && b.accuracy() >= a.accuracy() && b.costMs() <= a.costMs()
                    && (b.accuracy() > a.accuracy() || b.costMs() < a.costMs()));
            if (!dominated) {
                out.add(a);
            }
        }
        return List.copyOf(out);
    }

    /** The arm's predicted latency now: its slowest member for one that runs them together, the sum of the stages for a cascade. */
    static double worstMs(Arm a, Map<String, Double> estimates) {
        return a.kind() == Kind.CASCADE ? a.members().stream().mapToDouble(estimates::get).sum()
                : a.members().stream().mapToDouble(estimates::get).max().orElseThrow();
    }

    /** Every configuration of {@code task} whose members are all profiled, with its credited accuracy, cost and latency now. */
    static List<Arm> arms(String task, Catalog catalog, TaskVariants tv, Map<String, Double> estimateMs) {
        Map<String, Variant> profiled = tv.byId();
        List<Arm> out = new ArrayList<>();
        for (Variant v : tv.byCost()) {
            out.add(new Arm(Kind.SINGLE, List.of(v.id()), null, 0, v.accuracy(), TaskVariants.msPerRequest(v),
                    estimateMs.getOrDefault(v.id(), 0.0)));
        }
        for (Ensemble e : catalog.ensemblesFor(task)) {
            if (!profiled.keySet().containsAll(e.members()) || !"MAJORITY".equals(e.vote()) && !"PROBABILITY_AVERAGE".equals(e.vote())) {
                continue;
            }
            out.add(new Arm(Kind.ENSEMBLE, e.members(), e.vote(), 0, CocktailPolicy.onTestScale(e, profiled),
                    e.members().stream().mapToDouble(m -> TaskVariants.msPerRequest(profiled.get(m))).sum(),
                    e.members().stream().mapToDouble(m -> estimateMs.getOrDefault(m, 0.0)).max().orElseThrow()));
        }
        Map<String, Double> known = new HashMap<>();
        profiled.keySet().forEach(id -> known.put(id, estimateMs.getOrDefault(id, 0.0)));
        for (CascadePolicy.Candidate c : CascadePolicy.candidates(task, catalog, profiled, known)) {
            if (c.stages().size() > 1) {
                out.add(new Arm(Kind.CASCADE, c.stages(), null, c.threshold(), c.accuracy(), c.expectedCostMs(), c.worstMs()));
            }
        }
        return out;
    }

    /**
     * Ground truth for a request this instance drew: the configuration's answer is rebuilt from its
     * members' votes (the one variant's; a cascade's last stage that answered; an ensemble's
     * majority, confidence breaking ties) and rewarded. Feedback on another replica's draw, or on
     * a request answered from the cache (no votes), teaches nothing.
     */
    @Override
    public synchronized void onFeedback(String requestId, int trueLabel, List<Ballot> votes, long nowMs) {
        Draw d = pending.get(requestId);
        if (d == null || votes.isEmpty()) {
            return;
        }
        int answer = answerOf(d.arm(), votes);
        if (answer == Integer.MIN_VALUE) {
            return; // none of the drawn configuration's members voted: not this draw's answer
        }
        pending.remove(requestId);
        double reward = answer == trueLabel ? 1 - config.costWeight() * d.costShare() : 0;
        double estimated = reward / d.probability();
        for (int i = 0; i < logWeights.length; i++) {
            logWeights[i] += config.gamma() * d.advice()[i] * estimated / d.arms();
        }
        rewarded++;
    }

    /** The drawn configuration's answer from the votes of its members; MIN_VALUE when none of them voted. */
    static int answerOf(Arm arm, List<Ballot> votes) {
        List<Ballot> mine = votes.stream().filter(b -> arm.members().contains(b.member())).toList();
        if (mine.isEmpty()) {
            return Integer.MIN_VALUE;
        }
        return switch (arm.kind()) {
            case SINGLE -> mine.get(0).label();
            case CASCADE -> mine.stream().max(Comparator.comparingInt(b -> arm.members().indexOf(b.member()))).orElseThrow().label();
            case ENSEMBLE -> {
                Map<Integer, double[]> tally = new HashMap<>(); // label -> {votes, confidence}
                for (Ballot b : mine) {
                    double[] t = tally.computeIfAbsent(b.label(), l -> new double[2]);
                    t[0] += 1;
                    t[1] += b.confidence();
                }
                yield tally.entrySet().stream().max(Comparator.<Map.Entry<Integer, double[]>>comparingDouble(e -> e.getValue()[0])
                        .thenComparingDouble(e -> e.getValue()[1]).thenComparing(e -> -e.getKey())).orElseThrow().getKey();
            }
        };
    }

    /** Per-variant feedback carries no configuration answer: Exp4 learns from {@link #onFeedback(String, int, List, long)}. */
    @Override
    public void onFeedback(String requestId, String variant, boolean correct, long nowMs) {}

    /** The experts' advice mixed by their weights, with uniform exploration. */
    synchronized double[] probabilities(double[][] advice, int arms) {
        double max = java.util.Arrays.stream(logWeights).max().orElse(0);
        double total = 0;
        double[] w = new double[logWeights.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(logWeights[i] - max);
            total += w[i];
        }
        double[] p = new double[arms];
        for (int k = 0; k < arms; k++) {
            double mix = 0;
            for (int i = 0; i < w.length; i++) {
                mix += w[i] / total * advice[i][k];
            }
            p[k] = (1 - config.gamma()) * mix + config.gamma() / arms;
        }
        return p;
    }

    private int draw(double[] p) {
        double u = random.nextDouble();
        for (int k = 0; k < p.length; k++) {
            u -= p[k];
            if (u < 0) {
                return k;
            }
        }
        return p.length - 1;
    }

    private void remember(String requestId, Draw d) {
        if (pending.size() >= config.maxPending()) {
            var oldest = pending.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        pending.put(requestId, d);
    }

    /** Each expert's weight now, normalised (for tests and reports). */
    public synchronized Map<String, Double> expertWeights() {
        double max = java.util.Arrays.stream(logWeights).max().orElse(0);
        double total = java.util.Arrays.stream(logWeights).map(l -> Math.exp(l - max)).sum();
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < experts.size(); i++) {
            out.put(experts.get(i).name(), Math.exp(logWeights[i] - max) / total);
        }
        return out;
    }

    /** Draws rewarded so far. */
    public synchronized long rewarded() {
        return rewarded;
    }

    synchronized int pendingDraws() {
        return pending.size();
    }

    static List<Expert> defaultExperts() {
        return List.of(
                best("cheapest", a -> true, a -> -a.costMs()),
                best("most-accurate", a -> true, Arm::accuracy),
                best("cheapest-single", a -> a.kind() == Kind.SINGLE, a -> -a.costMs()),
                best("best-ensemble", a -> a.kind() == Kind.ENSEMBLE, Arm::accuracy),
                best("cheapest-cascade", a -> a.kind() == Kind.CASCADE, a -> -a.costMs()),
                new Expert() {
                    @Override
                    public String name() {
                        return "accuracy-per-ms";
                    }

                    @Override
                    public double[] advise(List<Arm> arms, double minAccuracy, double slackMs) {
                        return onBest(arms, a -> true, a -> (a.accuracy() - minAccuracy + 1e-3) / Math.max(a.costMs(), 1e-6));
                    }
                },
                new Expert() {
                    @Override
                    public String name() {
                        return "uniform";
                    }

                    @Override
                    public double[] advise(List<Arm> arms, double minAccuracy, double slackMs) {
                        return uniform(arms.size());
                    }
                });
    }

    /** An expert putting all its advice on the arm of a kind that scores highest (the first of equals); uniform when none is of its kind. */
    private static Expert best(String name, java.util.function.Predicate<Arm> kind, ToDoubleFunction<Arm> score) {
        return new Expert() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double[] advise(List<Arm> arms, double minAccuracy, double slackMs) {
                return onBest(arms, kind, score);
            }
        };
    }

    static double[] onBest(List<Arm> arms, java.util.function.Predicate<Arm> kind, ToDoubleFunction<Arm> score) {
        int best = -1;
        for (int k = 0; k < arms.size(); k++) {
            if (kind.test(arms.get(k)) && (best < 0 || score.applyAsDouble(arms.get(k)) > score.applyAsDouble(arms.get(best)))) {
                best = k;
            }
        }
        if (best < 0) {
            return uniform(arms.size());
        }
        double[] a = new double[arms.size()];
        a[best] = 1;
        return a;
    }

    static double[] uniform(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1.0 / n);
        return a;
    }
}
