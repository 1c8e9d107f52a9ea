package dev.sluice.sim.device;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.Variant;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one device class costs per variant: batch size to latency (p50/p95/p99, ms) and memory,
 * read by the simulator in place of the catalog's profiles. {@code kind} says whether the figures
 * were {@code measured} (by {@code ./sluice profile} on a machine of that class) or
 * {@code derived} (scaled from published figures), and {@code source} says from what; a derived
 * profile is a model, not a measurement, and every report that uses it names it.
 *
 * <p>Applying a profile to a catalog ({@link #applyTo}) replaces each variant's latency profile,
 * memory and, where the profile sets one, {@code max_batch}: the policies then plan with the
 * device's figures, as a selector does with a catalog profiled on the machine that serves.
 */
public record DeviceProfile(String device, String kind, String source, String measuredAt, List<VariantCost> variants) {
    /** One variant on this device. {@code maxBatch}: the executor's batch limit there (null keeps the catalog's). */
    public record VariantCost(String id, Double memoryMb, @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxBatch,
                              List<LatencyPoint> points) {
        public VariantCost {
            points = List.copyOf(points);
            if (points.isEmpty()) {
                throw new IllegalArgumentException("device profile of " + id + " has no latency points");
            }
        }
    }

    public static final String RESOURCE_DIR = "/dev/sluice/sim/profiles/";

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public DeviceProfile {
        variants = List.copyOf(variants);
        if (!"measured".equals(kind) && !"derived".equals(kind)) {
            throw new IllegalArgumentException("device profile kind must be 'measured' or 'derived', got " + kind);
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("device profile " + device + " must say where its figures come from (source)");
        }
    }

    /** A file by path, or by name one shipped with the simulator (e.g. {@code gpu-ampere-derived}). */
    public static DeviceProfile load(String pathOrName) {
        Path p = Path.of(pathOrName);
        try {
            if (Files.isRegularFile(p)) {
                return YAML.readValue(p.toFile(), DeviceProfile.class);
            }
            String name = pathOrName.endsWith(".yaml") ? pathOrName : pathOrName + ".yaml";
            try (InputStream in = DeviceProfile.class.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) {
                    throw new IllegalArgumentException("no device profile file " + p.toAbsolutePath() + " and none named '"
                            + pathOrName + "' shipped (" + String.join(", ", shipped()) + ")");
                }
                return YAML.readValue(in, DeviceProfile.class);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read device profile " + pathOrName + ": " + e.getMessage(), e);
        }
    }

    /** The profiles shipped with the simulator, by name. */
    public static List<String> shipped() {
        return List.of("cpu-2core-measured", "gpu-ampere-derived");
    }

    public void save(Path file, String headerComment) {
        try {
            Files.writeString(file, headerComment + YAML.writeValueAsString(this));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code catalog} with each variant costed on this device. A profiled variant this profile does
     * not list is an error: a run half on one device class and half on another would compare nothing.
     */
    public Catalog applyTo(Catalog catalog) {
        Map<String, VariantCost> byId = new TreeMap<>();
        variants.forEach(v -> byId.put(v.id(), v));
        List<Variant> out = new ArrayList<>();
        for (Variant v : catalog.variants()) {
            VariantCost c = byId.get(v.id());
            if (c == null || v.accuracy() == null) {
                if (c == null && v.isProfiled()) {
                    throw new IllegalArgumentException("device profile " + device + " has no figures for variant " + v.id());
                }
                out.add(v); // no measured accuracy: out of service, as in the catalog
                continue;
            }
            Variant costed = v.withMeasurements(v.accuracy(), new LatencyProfile(device, 0, measuredAt, c.points()))
                    .withMemoryMb(c.memoryMb());
            if (c.maxBatch() != null) {
                BatchingConfig b = costed.batching();
                costed = costed.withBatching(new BatchingConfig(c.maxBatch(), b.maxDelayMs(), b.preferredBatchSizes(),
                        b.priorityLevels(), b.adaptive()));
            }
            out.add(costed);
        }
        return new Catalog(out, catalog.ensembles(), catalog.cascades());
    }

    /** The catalogs' own measured profiles as a device profile (the first catalog wins a variant both list). */
    public static DeviceProfile measured(String device, String source, List<Catalog> catalogs) {
        Map<String, VariantCost> byId = new TreeMap<>();
        String measuredAt = null;
        for (Catalog c : catalogs) {
            for (Variant v : c.variants()) {
                if (v.profile().isEmpty() || byId.containsKey(v.id())) {
                    continue;
                }
                byId.put(v.id(), new VariantCost(v.id(), v.memoryMb(), null, v.profile().points()));
                if (measuredAt == null || v.profile().measuredAt().compareTo(measuredAt) > 0) {
                    measuredAt = v.profile().measuredAt();
                }
            }
        }
        return new DeviceProfile(device, "measured", source, measuredAt, new ArrayList<>(byId.values()));
    }
}
