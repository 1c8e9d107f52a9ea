package dev.sluice.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSettingsTest {
    @Test
    void readsSecurityPropertiesFromAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("client.properties");
        Files.writeString(f, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        KafkaSettings k = KafkaSettings.of("broker:9093", f);
        assertEquals("broker:9093", k.clientConfig().get("bootstrap.servers"));
        assertEquals("SASL_SSL", k.clientConfig().get("security.protocol"));
        assertEquals("SCRAM-SHA-512", k.clientProperties().getProperty("sasl.mechanism"));
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.of("b:1", dir.resolve("nope")));
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.of(" "));
    }

    @Test
    void deliveryModesParseAndMapToStreamsGuarantees() {
        assertEquals(DeliveryMode.EXACTLY_ONCE, DeliveryMode.parse("exactly-once"));
        assertEquals(DeliveryMode.AT_LEAST_ONCE, DeliveryMode.parse("AT_LEAST_ONCE"));
        assertEquals("exactly_once_v2", DeliveryMode.EXACTLY_ONCE.streamsGuarantee());
        assertTrue(DeliveryMode.EXACTLY_ONCE.transactional());
        DeliveryMode results = DeliveryMode.parse("exactly-once-results");
        assertEquals("at_least_once", results.streamsGuarantee());
        assertEquals("exactly_once_v2", results.aggregatorGuarantee());
        assertEquals(false, results.transactional());
        assertEquals("exactly-once-results", results.cliName());
        assertThrows(IllegalArgumentException.class, () -> DeliveryMode.parse("maybe"));
    }

    @Test
    void requestPathTopicsShareOnePartitionCount() {
        List<NewTopic> topics = new TopicLayout(6, (short) 1, List.of("a", "b")).topics();
        for (String name : List.of("sluice.requests", "sluice.plans", "sluice.partials", "sluice.results", "sluice.tasks.a",
                "sluice.tasks.b")) {
            NewTopic t = topics.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
            assertEquals(6, t.numPartitions(), name);
        }
        NewTopic status = topics.stream().filter(n -> n.name().equals("sluice.executor-status")).findFirst().orElseThrow();
        assertEquals("compact", status.configs().get("cleanup.policy"));
    }
}
