package dev.sluice.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModeResultTest {
    static ModeResult result(String mode, double heavyRps, double lightRps, double chainRps, double addedP50, double chainP50) {
        Sustained heavy = new Sustained(heavyRps, 100, 0, 10, 64, 1, 2, 3);
        Sustained light = new Sustained(lightRps, 100, 0, 10, 64, 1, 2, 3);
        Sustained chain = new Sustained(chainRps, 100, 0, 10, 64, 1, 2, 3);
        LatencyStats pipeline = LatencyStats.of(List.of(new LatencyStats.Sample(true, addedP50 + 20, 20,
                new Target.Stages(1, 1, 5, 20, 2))), 0, heavyRps / 2, 10);
        LatencyStats bare = LatencyStats.of(List.of(new LatencyStats.Sample(true, chainP50, 0, null)), 0, heavyRps / 2, 10);
        return ModeResult.of(mode, "cpu", 400, heavy, light, chain, pipeline, bare, new RecordSizes(3200, 3250, 120, 160, 180),
                Map.of("pipeline_heavy", Map.of("executor-vgg-tt", 1.5)), "aggregator 10 commits, 5.0 ms each");
    }

    @Test
    void ratiosCompareHeavyToRawOrtAndLightToTheBareChain() {
        ModeResult r = result("exactly-once", 380, 900, 1000, 30, 25);
        assertEquals(0.95, r.heavyRatio(), 1e-9);
        assertEquals(0.9, r.lightRatio(), 1e-9);
        assertEquals(30, r.addedLatencyMs().p50(), 1e-9);
        assertEquals(50, r.pipelineLatencyMs().p50(), 1e-9);
        assertEquals(25, r.kafkaChainLatencyMs().p50(), 1e-9);
        assertEquals(190, r.latencyRateRps(), 1e-9);
        assertTrue(r.targets().values().stream().allMatch(Boolean::booleanValue), r.targets().toString());
    }

    @Test
    void targetsReportWhatIsMissed() {
        ModeResult r = result("exactly-once", 300, 700, 1000, 40, 25);
        assertEquals(0.75, r.heavyRatio(), 1e-9);
        Map<String, Boolean> t = r.targets();
        assertFalse(t.get("heavy_ratio_at_least_0.95"));
        assertFalse(t.get("light_ratio_at_least_0.8"));
        assertFalse(t.get("added_p50_within_1.5x_chain_p50"), "40 > 1.5 x 25");
        assertTrue(t.get("added_p99_within_2.0x_chain_p99"), "40 <= 2 x 25");
    }

    @Test
    void aRatioOverNothingIsNaNAndMeetsNoTarget() {
        assertTrue(Double.isNaN(ModeResult.ratio(5, 0)));
        assertFalse(ModeResult.targets(Double.NaN, Double.NaN, new LatencyStats.Quantiles(Double.NaN, Double.NaN),
                new LatencyStats.Quantiles(1, 1)).containsValue(true));
    }

    @Test
    void summaryRepeatsTheDefaultModeAtTopLevelAndKeepsEveryMode(@TempDir Path dir) throws Exception {
        Map<String, ModeResult> modes = new LinkedHashMap<>();
        modes.put("exactly-once-results", result("exactly-once-results", 380, 900, 1000, 30, 25));
        modes.put("at-least-once", result("at-least-once", 390, 950, 1200, 20, 15));
        OverheadReport report = new OverheadReport(Map.of("heavy_variant", "vgg-tta"), "at-least-once", modes);
        Path file = dir.resolve("s.json");
        report.write(file);
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertEquals("vgg-tta", json.get("heavy_variant").asText());
        assertEquals("at-least-once", json.get("delivery_mode").asText());
        assertEquals(390, json.get("pipeline_heavy_rps").asDouble(), 1e-9);
        for (String field : List.of("raw_ort_rps", "pipeline_heavy_rps", "heavy_ratio", "kafka_chain_rps",
                "pipeline_light_rps", "light_ratio", "added_latency_ms", "kafka_chain_latency_ms", "delivery_mode")) {
            assertTrue(json.has(field), field);
            assertTrue(json.get("modes").get("exactly-once-results").has(field), field);
        }
        assertEquals(30, json.get("modes").get("exactly-once-results").get("added_latency_ms").get("p50").asDouble(), 1e-9);
        assertEquals("aggregator 10 commits, 5.0 ms each",
                json.get("modes").get("at-least-once").get("runs").get("kafka_chain_commits").asText());
        assertEquals(1.5, json.get("cpu_cores").get("pipeline_heavy").get("executor-vgg-tt").asDouble(), 1e-9);
        assertEquals(3250, json.get("modes").get("at-least-once").get("record_sizes").get("task").asInt());
        String table = report.table();
        assertTrue(table.contains("exactly-once-results") && table.contains("at-least-once"), table);
        assertTrue(table.contains("0.950") && table.contains("30.0 / 30.0"), table);
    }
}
