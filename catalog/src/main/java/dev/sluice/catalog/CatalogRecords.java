package dev.sluice.catalog;

import dev.sluice.avro.CatalogEntry;
import dev.sluice.models.Cascade;
import dev.sluice.models.Catalog;
import dev.sluice.models.CatalogJson;
import dev.sluice.models.Ensemble;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A catalog as records of the compacted {@code sluice.catalog} topic and back: one record per
 * variant (key {@code variant:<id>}) and one per task holding its measured ensembles, cascades and substitutes
 * (key {@code task:<task>}), so that publishing one variant, or removing one with a tombstone,
 * touches one key.
 */
public final class CatalogRecords {
    public static final String VARIANT = "variant";
    public static final String COMPOSITES = "composites";

    private CatalogRecords() {}

    public static String variantKey(String id) {
        return VARIANT + ":" + id;
    }

    public static String taskKey(String task) {
        return "task:" + task;
    }

    /** The records of {@code catalog}, by key, in catalog order. */
    public static Map<String, CatalogEntry> entriesOf(Catalog catalog, long publishedAtMs) {
        Map<String, CatalogEntry> out = new LinkedHashMap<>();
        for (Variant v : catalog.variants()) {
            out.put(variantKey(v.id()), variantEntry(v, publishedAtMs));
        }
        for (String task : catalog.tasks()) {
            CatalogJson.Composites c = CatalogJson.compositesOf(catalog, task);
            if (!c.isEmpty()) {
                out.put(taskKey(task), CatalogEntry.newBuilder()
                        .setKind(COMPOSITES).setVariant("").setTask(task).setModalities(List.of()).setUri("")
                        .setInputName("").setInputDatatype("").setInputShape(List.of()).setOutputName("").setAccuracy(0)
                        .setSpecJson(CatalogJson.write(c)).setPublishedAtMs(publishedAtMs).build());
            }
        }
        return out;
    }

    static CatalogEntry variantEntry(Variant v, long publishedAtMs) {
        List<dev.sluice.avro.LatencyPoint> profile = new ArrayList<>();
        for (LatencyPoint p : v.profile().points()) {
            profile.add(new dev.sluice.avro.LatencyPoint(p.batch(), p.p50Ms(), p.p95Ms(), p.p99Ms()));
        }
        TensorSpec first = v.allInputs().get(0); // a model with several inputs is summarised by its first; spec_json has all
        return CatalogEntry.newBuilder()
                .setKind(VARIANT).setVariant(v.id()).setTask(v.task()).setModalities(v.modalities()).setUri(v.file())
                .setInputName(first.name()).setInputDatatype(first.datatype()).setInputShape(first.shape())
                .setOutputName(v.output().name()).setAccuracy(v.accuracy() == null ? 0 : v.accuracy())
                .setDevice(v.profile().device()).setProfile(profile)
                .setSpecJson(CatalogJson.write(v)).setPublishedAtMs(publishedAtMs).build();
    }

    /**
     * The catalog the live records describe: every variant record, and the composites whose
     * members are all present.
     *
     * @throws IllegalArgumentException for a record this version cannot read (the message says which)
     */
    public static Catalog catalogOf(Collection<CatalogEntry> entries) {
        List<Variant> variants = new ArrayList<>();
        List<Ensemble> ensembles = new ArrayList<>();
        List<Cascade> cascades = new ArrayList<>();
        List<dev.sluice.models.Substitute> substitutes = new ArrayList<>();
        for (CatalogEntry e : entries) {
            if (e.getSpecJson().isEmpty()) {
                throw new IllegalArgumentException("catalog record for '" + e.getVariant() + "' has no spec_json "
                        + "(written by an older publisher); publish it again with ./sluice catalog publish");
            }
            switch (e.getKind()) {
                case VARIANT -> variants.add(CatalogJson.variant(e.getSpecJson()));
                case COMPOSITES -> {
                    CatalogJson.Composites c = CatalogJson.composites(e.getSpecJson());
                    ensembles.addAll(c.ensembles());
                    cascades.addAll(c.cascades());
                    substitutes.addAll(c.substitutes());
                }
                default -> throw new IllegalArgumentException("unknown catalog record kind '" + e.getKind() + "'");
            }
        }
        return CatalogJson.assemble(variants, ensembles, cascades, substitutes);
    }
}
