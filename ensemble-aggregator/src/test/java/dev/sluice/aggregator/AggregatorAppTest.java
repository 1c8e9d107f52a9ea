package dev.sluice.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.Test;

class AggregatorAppTest {
    @Test
    void streamsPropertiesFollowModeAndConfig() {
        KafkaSettings kafka = new KafkaSettings("broker:9092", Map.of("security.protocol", "SASL_SSL"));
        AggregatorConfig cfg = AggregatorConfig.defaults().withApplicationId("agg-2");
        Properties p = AggregatorApp.streamsProperties(kafka, DeliveryMode.EXACTLY_ONCE, cfg, Path.of("/state"));

        assertEquals("broker:9092", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("agg-2", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals("exactly_once_v2", p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals(20L, p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        assertEquals("/state", p.get(StreamsConfig.STATE_DIR_CONFIG));
        assertEquals(LogAndContinueExceptionHandler.class, p.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals(Topics.DEFAULT.dlq(), p.get("errors.dead.letter.queue.topic.name"));
        new StreamsConfig(p); // Kafka accepts every value

        Properties alo = AggregatorApp.streamsProperties(kafka, DeliveryMode.AT_LEAST_ONCE, cfg, Path.of("/state"));
        assertEquals("at_least_once", alo.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }

    @Test
    void configDefaultsAndValidation() {
        AggregatorConfig d = AggregatorConfig.defaults();
        assertEquals(Duration.ofMillis(10), d.punctuateInterval());
        assertEquals(Duration.ZERO, d.grace());
        assertEquals(Duration.ofMinutes(10), d.answeredRetention());
        assertEquals(Duration.ofSeconds(60), d.orphanTimeout());
        assertEquals("sluice-aggregator", d.applicationId());
        assertThrows(IllegalArgumentException.class, () -> d.withGrace(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> d.withPunctuateInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withApplicationId(" "));
    }

    @Test
    void timeIndexKeysSortByTime() {
        List<String> keys = Stream.of(
                TimeIndexKey.of(1_700_000_000_010L, "a"),
                TimeIndexKey.of(999L, "zzz"),
                TimeIndexKey.of(1_700_000_000_009L, "zz")).sorted().toList();
        assertEquals(List.of(TimeIndexKey.of(999L, "zzz"), TimeIndexKey.of(1_700_000_000_009L, "zz"),
                TimeIndexKey.of(1_700_000_000_010L, "a")), keys);
        assertEquals("zz", TimeIndexKey.requestId(keys.get(1)));
        assertTrue(TimeIndexKey.of(1_700_000_000_009L, "zz").compareTo(TimeIndexKey.dueBy(1_700_000_000_009L)) < 0);
        assertTrue(TimeIndexKey.of(1_700_000_000_010L, "a").compareTo(TimeIndexKey.dueBy(1_700_000_000_009L)) > 0);
    }
}
