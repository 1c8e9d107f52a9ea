package dev.sluice.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Registry client settings (credentials, TLS) from a deployment reach the serdes, and only sensible ones. */
class RegistrySettingsTest {
    private static final String URL = "https://registry:8443/apis/registry/v3";

    @Test
    void credentialsReachTheSerdeConfig() {
        Map<String, Object> c = SluiceSerdes.of(URL, Map.of("apicurio.registry.auth.username", "sluice",
                "apicurio.registry.auth.password", "s3cret", "apicurio.registry.tls.truststore.location", "/etc/ca.p12"))
                .config();
        assertEquals("sluice", c.get("apicurio.registry.auth.username"));
        assertEquals("s3cret", c.get("apicurio.registry.auth.password"));
        assertEquals("/etc/ca.p12", c.get("apicurio.registry.tls.truststore.location"));
        assertEquals(URL, c.get("apicurio.registry.url"));
        assertEquals(true, c.get("apicurio.registry.dereference-schema"), "Sluice's own settings stay");
    }

    @Test
    void refusesWhatCannotWork() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SluiceSerdes.of("fingerprint",
                Map.of("apicurio.registry.auth.username", "u"))).getMessage().contains("need a registry server"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SluiceSerdes.of(URL,
                Map.of("basic.auth.user.info", "u:p"))).getMessage().contains("is not an Apicurio serde setting"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SluiceSerdes.of(URL,
                Map.of("apicurio.registry.url", "http://elsewhere"))).getMessage().contains("comes from --registry"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SluiceSerdes.of(URL,
                Map.of("apicurio.registry.auto-register", "false"))).getMessage().contains("is Sluice's to set"));
        assertTrue(SluiceSerdes.of(URL).config().keySet().stream().noneMatch(k -> k.contains(".auth.")));
    }
}
