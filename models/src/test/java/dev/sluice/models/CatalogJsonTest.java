package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogJsonTest {
    @ParameterizedTest
    @ValueSource(strings = {"catalog.yaml", "catalog-multimodal.yaml"})
    void everyElementOfTheCommittedCatalogsRoundTrips(String file) {
        Catalog catalog = Catalog.load(Path.of(file));
        List<Variant> variants = new ArrayList<>();
        List<Ensemble> ensembles = new ArrayList<>();
        List<Cascade> cascades = new ArrayList<>();
        List<Substitute> substitutes = new ArrayList<>();
        for (Variant v : catalog.variants()) {
            variants.add(CatalogJson.variant(CatalogJson.write(v)));
        }
        for (String task : catalog.tasks()) {
            CatalogJson.Composites c = CatalogJson.composites(CatalogJson.write(CatalogJson.compositesOf(catalog, task)));
            ensembles.addAll(c.ensembles());
            cascades.addAll(c.cascades());
            substitutes.addAll(c.substitutes());
        }
        assertEquals(catalog, CatalogJson.assemble(variants, ensembles, cascades, substitutes));
    }

    @Test
    void aRemovedVariantTakesItsEnsemblesAndCascadesWithIt() {
        Catalog catalog = Catalog.load(Path.of("catalog.yaml"));
        assertTrue(!catalog.ensembles().isEmpty() && !catalog.cascades().isEmpty());
        String gone = catalog.cascades().get(0).stages().get(0);
        List<Variant> kept = catalog.variants().stream().filter(v -> !v.id().equals(gone)).toList();
        Catalog left = CatalogJson.assemble(kept, catalog.ensembles(), catalog.cascades());
        assertTrue(left.variant(gone).isEmpty());
        assertTrue(left.cascades().stream().noneMatch(c -> c.stages().contains(gone)));
        assertTrue(left.ensembles().stream().noneMatch(e -> e.members().contains(gone)));
        assertTrue(left.cascades().size() < catalog.cascades().size());
    }

    @Test
    void unreadableJsonIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CatalogJson.variant("{\"id\": 3, \"bogus\": 1}"));
        assertTrue(e.getMessage().startsWith("unreadable catalog element"), e.getMessage());
    }
}
