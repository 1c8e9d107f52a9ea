package dev.sluice.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScramUsersTest {
    @TempDir
    Path dir;

    @Test
    void theStoreKeepsEachPasswordAndWritesAClientFilePerUserOnlyItsOwnerReads() throws Exception {
        ScramUsers first = ScramUsers.loadOrCreate(dir, List.of("admin", "sluice-selector"));
        assertEquals(2, first.passwords().size());
        assertTrue(first.passwords().values().stream().allMatch(p -> p.matches("[0-9a-f]{32}")));
        assertNotEquals(first.passwords().get("admin"), first.passwords().get("sluice-selector"));

        ScramUsers again = ScramUsers.loadOrCreate(dir, List.of("admin", "sluice-tenant-acme"));
        assertEquals(first.passwords().get("admin"), again.passwords().get("admin"), "a restart keeps the passwords");
        assertEquals(first.passwords().get("sluice-selector"), again.passwords().get("sluice-selector"));
        assertEquals(3, again.passwords().size());

        Path client = dir.resolve("sluice-tenant-acme.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(client)) {
            p.load(r);
        }
        assertEquals("SASL_PLAINTEXT", p.getProperty("security.protocol"));
        assertEquals("SCRAM-SHA-512", p.getProperty("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sluice-tenant-acme\" password=\""
                + again.passwords().get("sluice-tenant-acme") + "\";", p.getProperty("sasl.jaas.config"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(client)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(ScramUsers.PASSWORDS_FILE))));
    }

    @Test
    void settingsLogInAsTheUser() {
        ScramUsers users = new ScramUsers(java.util.Map.of("sluice-gateway", "abc123"));
        KafkaSettings k = users.settings("localhost:9092", "sluice-gateway");
        assertEquals("localhost:9092", k.bootstrap());
        assertTrue(k.clientConfig().get("sasl.jaas.config").toString().contains("username=\"sluice-gateway\" password=\"abc123\""));
        assertThrows(IllegalArgumentException.class, () -> users.settings("localhost:9092", "someone-else"));
    }
}
