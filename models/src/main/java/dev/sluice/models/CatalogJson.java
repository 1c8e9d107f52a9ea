package dev.sluice.models;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Catalog elements as JSON, field for field what catalog.yaml holds: how the live catalog topic
 * carries a variant, or a task's measured ensembles and cascades, one record each.
 */
public final class CatalogJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private CatalogJson() {}

    /** A task's ensembles, cascades and substitutes (the last left out when there are none). */
    public record Composites(List<Ensemble> ensembles, List<Cascade> cascades,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Substitute> substitutes) {
        public Composites {
            ensembles = ensembles == null ? List.of() : List.copyOf(ensembles);
            cascades = cascades == null ? List.of() : List.copyOf(cascades);
            substitutes = substitutes == null ? List.of() : List.copyOf(substitutes);
        }

        public Composites(List<Ensemble> ensembles, List<Cascade> cascades) {
            this(ensembles, cascades, List.of());
        }

        @JsonIgnore
        public boolean isEmpty() {
            return ensembles.isEmpty() && cascades.isEmpty() && substitutes.isEmpty();
        }
    }

    public static String write(Variant v) {
        return write((Object) v);
    }

    public static String write(Composites c) {
        return write((Object) c);
    }

    public static Variant variant(String json) {
        return read(json, Variant.class);
    }

    public static Composites composites(String json) {
        return read(json, Composites.class);
    }

    /** The composites of {@code catalog} that serve {@code task}. */
    public static Composites compositesOf(Catalog catalog, String task) {
        return new Composites(catalog.ensemblesFor(task), catalog.cascadesFor(task), catalog.substitutesFor(task));
    }

    /**
     * A catalog of {@code variants} and whichever of {@code ensembles} and {@code cascades} name
     * only those variants: a removed variant takes its composites with it.
     */
    public static Catalog assemble(List<Variant> variants, List<Ensemble> ensembles, List<Cascade> cascades) {
        return assemble(variants, ensembles, cascades, List.of());
    }

    /** As {@link #assemble(List, List, List)}, with the substitutes both of whose variants are present. */
    public static Catalog assemble(List<Variant> variants, List<Ensemble> ensembles, List<Cascade> cascades,
            List<Substitute> substitutes) {
        Set<String> ids = new TreeSet<>();
        variants.forEach(v -> ids.add(v.id()));
        List<Ensemble> e = new ArrayList<>();
        for (Ensemble x : ensembles) {
            if (ids.containsAll(x.members())) {
                e.add(x);
            }
        }
        List<Cascade> c = new ArrayList<>();
        for (Cascade x : cascades) {
            if (ids.containsAll(x.stages())) {
                c.add(x);
            }
        }
        List<Substitute> s = substitutes.stream().filter(x -> ids.contains(x.variant()) && ids.contains(x.substitute())).toList();
        return new Catalog(variants, e, c, s);
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable catalog element: " + e.getMessage(), e);
        }
    }
}
