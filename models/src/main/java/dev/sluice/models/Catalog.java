package dev.sluice.models;

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
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The model catalog (models/catalog.yaml): every variant, its measured accuracy and latency. */
public record Catalog(List<Variant> variants) {
    public static final String DEFAULT_FILE = "models/catalog.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Catalog {
        variants = List.copyOf(variants);
        Set<String> ids = new TreeSet<>();
        for (Variant v : variants) {
            if (!ids.add(v.id())) {
                throw new IllegalArgumentException("duplicate variant id in catalog: " + v.id());
            }
        }
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
        return new Catalog(out);
    }
}
