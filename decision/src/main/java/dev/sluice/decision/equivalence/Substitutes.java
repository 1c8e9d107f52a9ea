package dev.sluice.decision.equivalence;

import dev.sluice.models.Catalog;
import dev.sluice.models.Substitute;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Model equivalence (Sommelier, Guo et al.): which cheaper variants answer like a given one, from
 * the catalog's {@code substitutes} (measured by {@code sluice profile} on the validation split:
 * the share of images two variants label alike). A fallback to a substitute changes fewer answers
 * than a fallback to a variant chosen by accuracy alone, so re-planning and load-shedding try the
 * substitutes first.
 *
 * <p>Pure and immutable; built once per catalog instance.
 */
public final class Substitutes {
    public static final Substitutes NONE = new Substitutes(Map.of());

    /** By variant: its substitutes, the most agreeing first. */
    private final Map<String, List<Substitute>> byVariant;

    private Substitutes(Map<String, List<Substitute>> byVariant) {
        this.byVariant = byVariant;
    }

    public static Substitutes of(Catalog catalog) {
        return of(catalog.substitutes());
    }

    public static Substitutes of(Collection<Substitute> substitutes) {
        Map<String, List<Substitute>> m = new HashMap<>();
        for (Substitute s : substitutes) {
            m.computeIfAbsent(s.variant(), k -> new ArrayList<>()).add(s);
        }
        m.replaceAll((k, v) -> v.stream().sorted(Comparator.comparingDouble(Substitute::agreement).reversed()
                .thenComparing(Substitute::substitute)).toList());
        return new Substitutes(Map.copyOf(m));
    }

    public boolean isEmpty() {
        return byVariant.isEmpty();
    }

    /** The substitutes of {@code variant}, the most agreeing first (empty when it has none). */
    public List<String> of(String variant) {
        return byVariant.getOrDefault(variant, List.of()).stream().map(Substitute::substitute).toList();
    }

    /** How often {@code substitute} answers like {@code variant}; empty when it is not marked its substitute. */
    public Optional<Double> agreement(String variant, String substitute) {
        return byVariant.getOrDefault(variant, List.of()).stream().filter(s -> s.substitute().equals(substitute))
                .map(Substitute::agreement).findFirst();
    }

    public boolean isSubstitute(String variant, String candidate) {
        return agreement(variant, candidate).isPresent();
    }

    /**
     * {@code ordered} (fallbacks in some order of preference) with the substitutes of {@code served}
     * among them moved to the front, the most agreeing first; the others keep their order.
     */
    public List<String> substitutesFirst(String served, List<String> ordered) {
        Set<String> out = new LinkedHashSet<>();
        Set<String> offered = Set.copyOf(ordered);
        for (String s : of(served)) {
            if (offered.contains(s)) {
                out.add(s);
            }
        }
        out.addAll(ordered);
        return List.copyOf(out);
    }

    /**
     * Among {@code candidates} (any type, read by {@code idOf}), the substitute of {@code variant}
     * that agrees with it most; empty when none of them is one.
     */
    public <T> Optional<T> mostAgreeing(String variant, Collection<T> candidates, Function<T, String> idOf) {
        for (String s : of(variant)) {
            for (T c : candidates) {
                if (idOf.apply(c).equals(s)) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }
}
