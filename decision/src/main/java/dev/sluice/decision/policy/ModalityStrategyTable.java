package dev.sluice.decision.policy;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * MOSEL's offline part for one task: for each modality subset the task's profiled variants
 * consume (e.g. [image], [audio], [audio, image]), the variants using exactly that subset,
 * cheapest first by their cost per request at full batches ({@link TaskVariants#msPerRequest}),
 * with the dominated ones dropped: a variant costlier than another of its subset and no more
 * accurate never serves (ties in cost and accuracy keep the one the catalog orders first).
 *
 * <p>MOSEL builds its strategy matrices by solving an integer program over job sizes and
 * accuracy constraints; here the per-request choice is cheap enough to make online over this
 * Pareto front, so the table is just the front. Built once per (catalog, task): the catalog is
 * immutable, so callers cache it by catalog instance.
 */
public final class ModalityStrategyTable {
    /** One entry of the table: a variant, the modality subset it consumes (sorted), its accuracy and cost. */
    public record Candidate(Variant variant, List<String> modalities, double accuracy, double msPerRequest) {
        public Candidate {
            modalities = List.copyOf(modalities);
        }

        public String id() {
            return variant.id();
        }

        /** True when every modality this candidate consumes is in {@code present}. */
        public boolean usableWith(Collection<String> present) {
            return present.containsAll(modalities);
        }
    }

    private final String task;
    private final Map<List<String>, List<Candidate>> bySubset;
    private final List<Candidate> all;
    private final Map<String, Candidate> byId;
    private final List<String> dominated;

    private ModalityStrategyTable(String task, Map<List<String>, List<Candidate>> bySubset, Map<String, Candidate> byId,
                                  List<String> dominated) {
        this.task = task;
        this.bySubset = bySubset;
        this.byId = byId;
        this.dominated = List.copyOf(dominated);
        List<Candidate> a = new ArrayList<>();
        bySubset.values().forEach(a::addAll);
        a.sort(Comparator.comparingDouble(Candidate::msPerRequest));
        this.all = List.copyOf(a);
    }

    /** The table of {@code task} in {@code catalog}: its profiled variants only. */
    public static ModalityStrategyTable of(Catalog catalog, String task) {
        TaskVariants tv = TaskVariants.of(catalog, task);
        Map<List<String>, List<Candidate>> groups = new LinkedHashMap<>();
        Map<String, Candidate> byId = new HashMap<>();
        for (Variant v : tv.byCost()) {
            Candidate c = new Candidate(v, subset(v.modalities()), v.accuracy(), TaskVariants.msPerRequest(v));
            byId.put(v.id(), c);
            groups.computeIfAbsent(c.modalities(), k -> new ArrayList<>()).add(c);
        }
        Map<List<String>, List<Candidate>> fronts = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<List<String>, List<Candidate>> g : groups.entrySet()) {
            List<Candidate> byCost = new ArrayList<>(g.getValue());
            // stable: equal costs keep the catalog's order after the more accurate
            byCost.sort(Comparator.comparingDouble(Candidate::msPerRequest)
                    .thenComparing(Comparator.comparingDouble(Candidate::accuracy).reversed()));
            List<Candidate> front = new ArrayList<>();
            double best = Double.NEGATIVE_INFINITY;
            for (Candidate c : byCost) {
                if (c.accuracy() > best) {
                    front.add(c);
                    best = c.accuracy();
                } else {
                    dropped.add(c.id());
                }
            }
            fronts.put(g.getKey(), List.copyOf(front));
        }
        return new ModalityStrategyTable(task, fronts, byId, dropped);
    }

    /** A modality list as the table keys it: distinct, sorted. */
    public static List<String> subset(Collection<String> modalities) {
        return List.copyOf(new TreeSet<>(modalities));
    }

    public String task() {
        return task;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    /** The modality subsets with at least one candidate. */
    public Set<List<String>> subsets() {
        return bySubset.keySet();
    }

    /** The candidates consuming exactly {@code modalities}, cheapest first (empty if none). */
    public List<Candidate> exactly(Collection<String> modalities) {
        return bySubset.getOrDefault(subset(modalities), List.of());
    }

    /** The candidates all of whose modalities are in {@code present}, cheapest first. */
    public List<Candidate> usableWith(Collection<String> present) {
        return all.stream().filter(c -> c.usableWith(present)).toList();
    }

    /** Every candidate, cheapest first. */
    public List<Candidate> all() {
        return all;
    }

    /** Ids of the profiled variants dropped as dominated within their subset. */
    public List<String> dominated() {
        return dominated;
    }

    /** Any profiled variant of the task by id, dominated ones included (a queued task may sit on one). */
    public Candidate variant(String id) {
        return byId.get(id);
    }
}
