package dev.sluice.models;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model catalog (models/catalog.yaml): every variant, its measured accuracy and latency, and
 * the ensembles of variants measured on the validation split (optional; absent means none), the
 * cascades, and the substitutes (cheaper variants that answer alike, {@link Substitute}).
 */
public record Catalog(List<Variant> variants, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Ensemble> ensembles,
                      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Cascade> cascades,
                      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Substitute> substitutes) {
    public static final String DEFAULT_FILE = "models/catalog.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @JsonCreator
    public Catalog {
        variants = List.copyOf(variants);
        ensembles = ensembles == null ? List.of() : List.copyOf(ensembles);
        cascades = cascades == null ? List.of() : List.copyOf(cascades);
        substitutes = substitutes == null ? List.of() : List.copyOf(substitutes);
        Set<String> ids = new TreeSet<>();
        for (Variant v : variants) {
            if (!ids.add(v.id())) {
                throw new IllegalArgumentException("duplicate variant id in catalog: " + v.id());
            }
        }
        for (Ensemble e : ensembles) {
            for (String m : e.members()) {
                if (!ids.contains(m)) {
                    throw new IllegalArgumentException("catalog ensemble " + e.members() + " names unknown variant '" + m + "'");
                }
            }
        }
        for (Cascade c : cascades) {
            for (String m : c.stages()) {
                if (!ids.contains(m)) {
                    throw new IllegalArgumentException("catalog cascade " + c.stages() + " names unknown variant '" + m + "'");
                }
            }
        }
        for (Substitute s : substitutes) {
            for (String m : List.of(s.variant(), s.substitute())) {
                if (!ids.contains(m)) {
                    throw new IllegalArgumentException("catalog substitute " + s.substitute() + " for " + s.variant()
                            + " names unknown variant '" + m + "'");
                }
            }
        }
    }

    /** A catalog without substitutes. */
    public Catalog(List<Variant> variants, List<Ensemble> ensembles, List<Cascade> cascades) {
        this(variants, ensembles, cascades, List.of());
    }

    /** A catalog without cascades. */
    public Catalog(List<Variant> variants, List<Ensemble> ensembles) {
        this(variants, ensembles, List.of());
    }

    /** A catalog without ensembles. */
    public Catalog(List<Variant> variants) {
        this(variants, List.of(), List.of());
    }

    public static Catalog load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("catalog not found: " + file.toAbsolutePath());
        }
        try {
            return YAML.readValue(file.toFile(), Catalog.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read catalog " + file + ": " + e.getMessage(), e);
        }
    }

    public void save(Path file, String headerComment) {
        try {
            String body = YAML.writeValueAsString(this);
            Files.writeString(file, headerComment + body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Variant> variant(String id) {
        return variants.stream().filter(v -> v.id().equals(id)).findFirst();
    }

    /** Variants of {@code task}, cheapest first (by profiled batch-1 latency). */
    public List<Variant> forTask(String task) {
        List<Variant> out = new ArrayList<>();
        for (Variant v : variants) {
            if (v.task().equals(task)) {
                out.add(v);
            }
        }
        out.sort(Comparator.comparingDouble(v -> v.profile().isEmpty() ? Double.MAX_VALUE : v.profile().p50Ms(1)));
        return out;
    }

    /**
     * The output names a request for {@code task} may ask for (OIP {@code outputs}): label,
     * confidence and probabilities when its variants are classifiers; otherwise the output names
     * of its variants, as the catalog lists them ({@link Variant#output()}).
     */
    public List<String> outputNames(String task) {
        List<Variant> vs = forTask(task);
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (Variant v : vs) {
            if (v.isClassifier()) {
                names.addAll(OutputKind.CLASS_OUTPUTS);
            } else {
                names.add(v.output().name());
            }
        }
        return List.copyOf(names);
    }

    /**
     * Why a request for {@code task} cannot have the outputs it named, or null when it can (it
     * named none, or only names {@link #outputNames} lists): the one check the selector (for every
     * way in) and the gateway (to fail fast) share.
     */
    public String outputsProblem(String task, List<String> requested) {
        List<String> known = outputNames(task);
        for (String name : requested) {
            if (!known.contains(name)) {
                return "unknown output '" + name + "' (outputs: " + String.join(", ", known) + ") for model '" + task + "'";
            }
        }
        return null;
    }

    public Set<String> tasks() {
        Set<String> t = new TreeSet<>();
        variants.forEach(v -> t.add(v.task()));
        return t;
    }

    public Catalog with(Variant replacement) {
        List<Variant> out = new ArrayList<>();
        for (Variant v : variants) {
            out.add(v.id().equals(replacement.id()) ? replacement : v);
        }
        return new Catalog(out, ensembles, cascades, substitutes);
    }

    /**
     * The part of this catalog a request carrying only {@code present} modalities can be served
     * by: the variants whose every modality is present, and the ensembles and cascades made of
     * them. This catalog itself when nothing is left out.
     */
    public Catalog servableWith(Collection<String> present) {
        Set<String> have = Set.copyOf(present);
        List<Variant> kept = variants.stream().filter(v -> have.containsAll(v.modalities())).toList();
        if (kept.size() == variants.size()) {
            return this;
        }
        Set<String> ids = new TreeSet<>();
        kept.forEach(v -> ids.add(v.id()));
        return new Catalog(kept,
                ensembles.stream().filter(e -> ids.containsAll(e.members())).toList(),
                cascades.stream().filter(c -> ids.containsAll(c.stages())).toList(),
                substitutes.stream().filter(s -> ids.contains(s.variant()) && ids.contains(s.substitute())).toList());
    }

    /** This catalog with its ensembles replaced by {@code measured}. */
    public Catalog withEnsembles(List<Ensemble> measured) {
        return new Catalog(variants, measured, cascades, substitutes);
    }

    /** This catalog with its cascades replaced by {@code measured}. */
    public Catalog withCascades(List<Cascade> measured) {
        return new Catalog(variants, ensembles, measured, substitutes);
    }

    /** This catalog with its substitutes replaced by {@code measured}. */
    public Catalog withSubstitutes(List<Substitute> measured) {
        return new Catalog(variants, ensembles, cascades, measured);
    }

    /** The substitutes of {@code variant}, the one answering most alike first. */
    public List<Substitute> substitutesOf(String variant) {
        return substitutes.stream().filter(s -> s.variant().equals(variant))
                .sorted(Comparator.comparingDouble(Substitute::agreement).reversed()).toList();
    }

    /** The cascades all of whose stages serve {@code task}. */
    public List<Cascade> cascadesFor(String task) {
        List<Cascade> out = new ArrayList<>();
        for (Cascade c : cascades) {
            if (c.stages().stream().allMatch(m -> variant(m).map(v -> v.task().equals(task)).orElse(false))) {
                out.add(c);
            }
        }
        return out;
    }

    /** The substitutes both of whose variants serve {@code task}. */
    public List<Substitute> substitutesFor(String task) {
        List<Substitute> out = new ArrayList<>();
        for (Substitute s : substitutes) {
            if (List.of(s.variant(), s.substitute()).stream()
                    .allMatch(m -> variant(m).map(v -> v.task().equals(task)).orElse(false))) {
                out.add(s);
            }
        }
        return out;
    }

    /** The ensembles all of whose members serve {@code task}. */
    public List<Ensemble> ensemblesFor(String task) {
        List<Ensemble> out = new ArrayList<>();
        for (Ensemble e : ensembles) {
            if (e.members().stream().allMatch(m -> variant(m).map(v -> v.task().equals(task)).orElse(false))) {
                out.add(e);
            }
        }
        return out;
    }
}
