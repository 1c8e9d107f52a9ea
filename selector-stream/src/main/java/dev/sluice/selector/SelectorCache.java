package dev.sluice.selector;

import dev.sluice.avro.CachedAnswer;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.Tensor;
import dev.sluice.decision.cache.InputKey;
import dev.sluice.decision.cache.PredictionCache;
import dev.sluice.decision.policy.PinnedPolicy;
import dev.sluice.models.Catalog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The selector's side of Clipper's prediction cache ({@link PredictionCache}, the pure part): the
 * Avro request in, a plan carrying the cached answer out (the aggregator answers it at once,
 * flagged {@code cached}); a request sent to its members is remembered so that its result, read
 * back by {@link ResultsFollower}, fills the cache.
 *
 * <p>Only what the cache can answer faithfully goes through it: a request in one part, with no
 * tier and no pinned policy (a client that pinned a variant wants that variant), unless it opts
 * out with the request parameter {@code cache=off}. A cached answer serves a request only when the
 * variants that produced it meet the request's floor. When the catalog changes while the selector
 * runs (the live catalog: a new instance behind the supplier, noticed at the next lookup or
 * result; or one handed to {@link #onCatalog}), the answers of every changed variant go.
 */
public final class SelectorCache {
    /** Request parameter: "off" (or "false") keeps a request away from the cache, neither answered nor filling. */
    public static final String PARAMETER = "cache";

    /**
     * Request parameter, opt-in: "on" (or "true") asks for a default answer, flagged
     * {@code default_answer}, should the deadline pass with no member's answer: the cache's answer for
     * the same inputs whatever its accuracy, else the configured default label of the task.
     */
    public static final String DEADLINE_DEFAULT_PARAMETER = "deadline_default";

    /** No cache: every lookup misses, nothing is remembered. */
    public static final SelectorCache OFF = new SelectorCache(null, null, InstantSource.system());

    /**
     * A lookup's outcome: the key (null when the request does not use the cache), the cached answer
     * to send in its plan if any, and the default answer for its deadline (null unless asked for and
     * available).
     */
    public record Lookup(PredictionCache.Key key, Optional<CachedAnswer> answer, CachedAnswer deadlineDefault) {
        static final Lookup BYPASS = new Lookup(null, Optional.empty(), null);
    }

    private final PredictionCache cache;
    private final Supplier<Catalog> source;
    private final AtomicReference<Catalog> pushed = new AtomicReference<>();
    private final AtomicReference<Catalog> seen = new AtomicReference<>();
    private final InstantSource clock;
    private final Map<String, Integer> defaultLabels;

    public SelectorCache(PredictionCache cache, Catalog catalog, InstantSource clock) {
        this(cache, catalog, clock, Map.of());
    }

    public SelectorCache(PredictionCache cache, Catalog catalog, InstantSource clock, Map<String, Integer> defaultLabels) {
        this(cache, () -> catalog, clock, defaultLabels);
    }

    /**
     * @param catalog the catalog at each moment (the live catalog, or a fixed one)
     * @param defaultLabels by task, the label a request asking for a default answer gets when the cache has none
     */
    public SelectorCache(PredictionCache cache, Supplier<Catalog> catalog, InstantSource clock, Map<String, Integer> defaultLabels) {
        this.cache = cache;
        this.source = catalog;
        this.clock = clock;
        this.defaultLabels = Map.copyOf(defaultLabels);
    }

    /** The catalog now; a change since the last look drops the answers of the variants it changed. */
    private Catalog catalog() {
        Catalog p = pushed.get();
        Catalog now = p != null ? p : source.get();
        Catalog before = seen.getAndSet(now);
        if (cache != null && before != null && before != now) {
            cache.onCatalog(before, now);
        }
        return now;
    }

    /** "TASK=LABEL,..." as a command line gives the configured default labels. */
    public static Map<String, Integer> parseDefaultLabels(String spec) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("default labels: expected TASK=LABEL, got '" + part + "'");
            }
            out.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
        }
        return out;
    }

    public boolean enabled() {
        return cache != null;
    }

    /** The cache itself (stats, tests); null when off. */
    public PredictionCache cache() {
        return cache;
    }

    /** Whether {@code req}, decided by {@code policy}, may be answered from, and fill, the cache. */
    static boolean eligible(InferenceRequest req, String policy) {
        String opt = req.getParameters().get(PARAMETER);
        return req.getPartCount() <= 1 && req.getTier() == null && !PinnedPolicy.isPinned(policy)
                && !(opt != null && (opt.equalsIgnoreCase("off") || opt.equalsIgnoreCase("false")));
    }

    /**
     * Looks {@code req} up: a hit comes back as the answer for its plan to carry ({@code Plan.cached},
     * decision SERVE, the producers as its variants); a miss of a request asking for a default answer
     * brings the one to attach to its plan.
     */
    public Lookup lookup(InferenceRequest req, String policy, long receivedAtMs) {
        boolean wantsDefault = wantsDefault(req);
        boolean eligible = cache != null && eligible(req, policy);
        if (cache != null && (eligible || wantsDefault)) {
            catalog(); // notice a catalog change before answering from what it changed
        }
        if (!eligible && !wantsDefault) {
            return Lookup.BYPASS;
        }
        PredictionCache.Key key = cache == null ? null : InputKey.of(req.getTask(), inputs(req.getInputs()));
        Optional<PredictionCache.Answer> hit = eligible ? cache.lookup(key, req.getMinAccuracy()) : Optional.empty();
        CachedAnswer fallback = null;
        if (hit.isEmpty() && wantsDefault) { // a default is a last resort, not an answer: any cached one will do
            fallback = (key == null ? Optional.<PredictionCache.Answer>empty() : cache.peek(key))
                    .map(a -> cachedAnswer(a, "cache")).orElse(configuredDefault(req.getTask()));
        }
        return new Lookup(eligible ? key : null, hit.map(a -> cachedAnswer(a, "cache")), fallback);
    }

    private CachedAnswer configuredDefault(String task) {
        Integer label = defaultLabels.get(task);
        return label == null ? null : new CachedAnswer(label, 0f, List.of(), 0.0, 0L, "default");
    }

    private static CachedAnswer cachedAnswer(PredictionCache.Answer a, String source) {
        return new CachedAnswer(a.label(), a.confidence(), a.variants(), a.accuracy(), a.storedAtMs(), source);
    }

    /** Whether {@code req} asked for a default answer at its deadline (parameter {@value #DEADLINE_DEFAULT_PARAMETER}; one part only). */
    static boolean wantsDefault(InferenceRequest req) {
        return req.getPartCount() <= 1 && isOn(req.getParameters().get(DEADLINE_DEFAULT_PARAMETER));
    }

    private static boolean isOn(String v) {
        return v != null && (v.equalsIgnoreCase("on") || v.equalsIgnoreCase("true"));
    }

    /** {@code plan} was sent for the request looked up as {@code lookup}: when it runs members, its result should fill. */
    public void dispatched(Lookup lookup, Plan plan) {
        if (cache != null && lookup.key() != null && plan.getDecision() == PlanDecision.SERVE && plan.getCached() == null
                && !plan.getVariants().isEmpty()) {
            cache.expect(plan.getRequestId(), lookup.key());
        }
    }

    /** A result from {@code sluice.results}: a final answer of a request this selector dispatched fills the cache. */
    public void onResult(InferenceResult r) {
        if (cache == null || !r.getFinal$() || r.getCached()) {
            return;
        }
        boolean answered = r.getStatus() == ResultStatus.OK && r.getLabel() >= 0;
        cache.onResult(r.getRequestId(), answered, r.getLabel(), r.getConfidence(), r.getVariants(), catalog(),
                clock.millis());
    }

    /**
     * The catalog changed to {@code next} (for a selector on a fixed catalog; a live catalog's changes
     * are noticed by themselves): the answers of the variants it changed or dropped go, and later
     * answers are credited by it.
     */
    public void onCatalog(Catalog next) {
        catalog(); // the one before, as seen
        pushed.set(next);
        catalog();
    }

    static List<InputKey.Input> inputs(List<Tensor> tensors) {
        List<InputKey.Input> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            out.add(new InputKey.Input(t.getName(), t.getDatatype(), t.getShape(), t.getData()));
        }
        return out;
    }

    /**
     * {@code sluice_selector_cache_total{outcome}} (hit, below_floor, miss, fill, invalidated) and
     * {@code sluice_selector_cache_entries}.
     */
    public void bind(MeterRegistry registry) {
        if (cache == null) {
            return;
        }
        List.<java.util.Map.Entry<String, ToDoubleFunction<PredictionCache.Stats>>>of(
                java.util.Map.entry("hit", s -> s.hits()), java.util.Map.entry("below_floor", s -> s.belowFloor()),
                java.util.Map.entry("miss", s -> s.misses()), java.util.Map.entry("fill", s -> s.fills()),
                java.util.Map.entry("invalidated", s -> s.invalidated())).forEach(e -> FunctionCounter
                .builder("sluice.selector.cache", cache, c -> e.getValue().applyAsDouble(c.stats()))
                .description("prediction cache lookups by outcome, and fills and invalidations").tag("outcome", e.getKey())
                .register(registry));
        Gauge.builder("sluice.selector.cache.entries", cache, PredictionCache::size)
                .description("answers the prediction cache holds").strongReference(true).register(registry);
    }
}
