package dev.sluice.decision.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Selection policies by name, so a run can compare them on one trace. One instance of each:
 * the stateful ones (switching, proteus, clipper-bandit, ramsis's tables, cocktail's pruning)
 * are shared by all stream threads and lock their own state.
 */
public final class Policies {
    public static final String DEFAULT = "infaas";
    public static final long DEFAULT_SEED = 17;

    /**
     * Everything the policies are built from. {@code admitted} names the policies wrapped in
     * {@link AdmissionControl} (their names stay the same).
     */
    public record Settings(double overheadMs, long seed, SwitchingPolicy.Config switching, ProteusPolicy.Config proteus,
                           ClipperBanditPolicy.Config bandit, AdmissionControl.Config admission, Set<String> admitted) {
        public Settings {
            admitted = Set.copyOf(admitted);
        }

        public static Settings defaults(double overheadMs) {
            return new Settings(overheadMs, DEFAULT_SEED, SwitchingPolicy.Config.DEFAULTS, ProteusPolicy.Config.DEFAULTS,
                    ClipperBanditPolicy.Config.DEFAULTS, AdmissionControl.Config.DEFAULTS, Set.of());
        }

        public Settings withSeed(long s) {
            return new Settings(overheadMs, s, switching, proteus, bandit, admission, admitted);
        }

        public Settings withAdmission(Set<String> names) {
            return new Settings(overheadMs, seed, switching, proteus, bandit, admission, names);
        }

        public Settings withAdmission(Set<String> names, AdmissionControl.Config config) {
            return new Settings(overheadMs, seed, switching, proteus, bandit, config, names);
        }

        public Settings withOverheadMs(double ms) {
            return new Settings(ms, seed, switching, proteus, bandit, admission, admitted);
        }
    }

    private final Map<String, SelectionPolicy> byName = new TreeMap<>();
    private final Map<String, SelectionPolicy> pinned = new java.util.concurrent.ConcurrentHashMap<>();

    public Policies(double overheadMs) {
        this(Settings.defaults(overheadMs));
    }

    public Policies(double overheadMs, long seed) {
        this(Settings.defaults(overheadMs).withSeed(seed));
    }

    public Policies(Settings settings) {
        LatencyEstimator estimator = new LatencyEstimator(settings.overheadMs());
        for (SelectionPolicy p : List.of(
                new InfaasPolicy(estimator), FixedPolicy.high(), FixedPolicy.low(),
                new SwitchingPolicy(estimator, settings.switching()),
                new ProteusPolicy(estimator, settings.proteus()),
                new RamsisPolicy(estimator),
                new ClipperBanditPolicy(estimator, settings.bandit(), new SplittableRandom(settings.seed())),
                new Exp4Policy(estimator, Exp4Policy.Config.DEFAULTS, new SplittableRandom(settings.seed() + 1)),
                new TiersPolicy(estimator),
                new CocktailPolicy(estimator, CocktailPolicy.Config.DEFAULTS),
                new CascadePolicy(estimator),
                new MoselPolicy(estimator),
                MoselPolicy.accuracyOnly(estimator),
                ModalityBaselinePolicy.allModalities(estimator),
                ModalityBaselinePolicy.imageOnly(estimator))) {
            byName.put(p.name(), p);
        }
        for (String name : settings.admitted()) {
            byName.put(name, new AdmissionControl(get(name), estimator, settings.admission()));
        }
    }

    /** A named policy, or a pinned configuration ({@link PinnedPolicy}: fixed:..., cascade:..., self-consistency:...). */
    public SelectionPolicy get(String name) {
        SelectionPolicy p = byName.get(name);
        if (p == null && PinnedPolicy.isPinned(name)) {
            p = pinned.computeIfAbsent(name, PinnedPolicy::parse);
        }
        if (p == null) {
            throw new IllegalArgumentException("unknown policy '" + name + "'; known: " + byName.keySet());
        }
        return p;
    }

    public boolean has(String name) {
        if (byName.containsKey(name)) {
            return true;
        }
        if (!PinnedPolicy.isPinned(name)) {
            return false;
        }
        try {
            get(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Why {@code name} names no policy: unknown, or a pinned configuration that does not parse. */
    public String whyUnknown(String name) {
        if (PinnedPolicy.isPinned(name)) {
            try {
                PinnedPolicy.parse(name);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        return "unknown policy '" + name + "'; known: " + names() + ", or fixed:..., cascade:..., self-consistency:...";
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public <T> Map<String, T> map(Function<SelectionPolicy, T> f) {
        Map<String, T> out = new TreeMap<>();
        byName.forEach((k, v) -> out.put(k, f.apply(v)));
        return out;
    }
}
