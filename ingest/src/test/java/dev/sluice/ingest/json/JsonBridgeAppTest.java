package dev.sluice.ingest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class JsonBridgeAppTest {
    @Test
    void configHasBridgeDefaultsAndOverridesWin() {
        Properties overrides = new Properties();
        overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 5);
        Properties p = JsonBridgeApp.config(
                new KafkaSettings("broker:9092", Map.of("security.protocol", "SASL_SSL")), Path.of("/tmp/x"),
                DeliveryMode.EXACTLY_ONCE_RESULTS, overrides);
        assertEquals("broker:9092", p.get("bootstrap.servers"));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("sluice-json-bridge", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        // the bridge writes the JSON results, the last hop: exactly-once as the aggregator is
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("/tmp/x", p.get(StreamsConfig.STATE_DIR_CONFIG));
        assertEquals(5, p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        // the whole set must pass Kafka Streams' own validation
        new StreamsConfig(p);
        Properties alo = JsonBridgeApp.config(new KafkaSettings("broker:9092", Map.of()), Path.of("/tmp/x"),
                DeliveryMode.AT_LEAST_ONCE, null);
        assertEquals(StreamsConfig.AT_LEAST_ONCE, alo.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }
}
