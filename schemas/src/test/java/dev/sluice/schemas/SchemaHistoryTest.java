package dev.sluice.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Schemas evolve BACKWARD compatibly: the current schema reads everything any committed
 * earlier version wrote. Changing a schema means adding its new version to schemas/history
 * (copy the generated schema as Name.vN+1.avsc and list it in index.txt).
 */
class SchemaHistoryTest {

    private static Map<String, List<Schema>> historyByName() {
        Map<String, List<Schema>> byName = new TreeMap<>();
        List<String> files = KnownSchemas.historyFiles();
        List<Schema> schemas = KnownSchemas.history();
        for (int i = 0; i < files.size(); i++) {
            byName.computeIfAbsent(schemas.get(i).getFullName(), k -> new ArrayList<>()).add(schemas.get(i));
        }
        return byName;
    }

    @Test
    void everyCurrentSchemaIsRecordedAsItsLatestHistoryVersion() {
        Map<String, List<Schema>> history = historyByName();
        for (Schema current : KnownSchemas.current()) {
            List<Schema> versions = history.get(current.getFullName());
            assertTrue(versions != null && !versions.isEmpty(),
                    current.getFullName() + " has no committed version in schemas/history");
            assertEquals(versions.get(versions.size() - 1), current,
                    current.getFullName() + " changed: add it to schemas/history as a new version");
        }
    }

    @Test
    void currentSchemasReadEveryEarlierVersion() {
        Map<String, Schema> current = new TreeMap<>();
        KnownSchemas.current().forEach(s -> current.put(s.getFullName(), s));
        historyByName().forEach((name, versions) -> {
            Schema reader = current.get(name);
            assertTrue(reader != null, name + " is in history but no longer shipped");
            for (Schema writer : versions) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
                assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
                        name + " is not BACKWARD compatible: " + result.getDescription());
            }
        });
    }

    @Test
    void theCheckRejectsAFieldAddedWithoutDefault() {
        Schema old = KnownSchemas.current().get(0);
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(old.getName()).namespace(old.getNamespace()).fields();
        for (Schema.Field f : old.getFields()) {
            fields = fields.name(f.name()).type(f.schema()).noDefault();
        }
        Schema evolved = fields.name("new_required_field").type().intType().noDefault().endRecord();
        var result = SchemaCompatibility.checkReaderWriterCompatibility(evolved, old);
        assertFalse(result.getType() == SchemaCompatibilityType.COMPATIBLE);
    }
}
