package dev.sluice.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.CatalogEntry;
import dev.sluice.models.Catalog;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogRecordsTest {
    @ParameterizedTest
    @ValueSource(strings = {"catalog.yaml", "catalog-multimodal.yaml"})
    void aCatalogAsRecordsAndBack(String file) {
        Catalog catalog = Catalog.load(Path.of("../models").resolve(file));
        Map<String, CatalogEntry> entries = CatalogRecords.entriesOf(catalog, 7L);
        assertEquals(catalog, CatalogRecords.catalogOf(entries.values()));
        catalog.variants().forEach(v -> {
            CatalogEntry e = entries.get(CatalogRecords.variantKey(v.id()));
            assertEquals(v.allInputs().get(0).name(), e.getInputName(), "the summary names the first input");
            assertEquals(7L, e.getPublishedAtMs());
        });
    }

    @Test
    void aRecordWithoutItsSpecSaysHowToFixIt() {
        CatalogEntry old = CatalogRecords.entriesOf(Catalog.load(Path.of("../models/catalog.yaml")), 0).values().iterator().next();
        old.setSpecJson("");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CatalogRecords.catalogOf(java.util.List.of(old)));
        assertTrue(e.getMessage().contains("publish it again"), e.getMessage());
    }
}
