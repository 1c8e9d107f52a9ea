package dev.sluice.ingest.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunSummaryTest {
    private static InferenceResult result(String id, ResultStatus status, int label, String reason, long deadlineMs,
            long completedAtMs, double queueMs, String... variants) {
        return InferenceResult.newBuilder()
                .setRequestId(id)
                .setStatus(status)
                .setLabel(label)
                .setReason(reason)
                .setVariants(List.of(variants))
                .setLatency(StageLatency.newBuilder().setQueueMs(queueMs).setComputeMs(1).build())
                .setPolicy("infaas")
                .setCreatedAtMs(0)
                .setDeadlineMs(deadlineMs)
                .setCompletedAtMs(completedAtMs)
                .build();
    }

    private static RequestOutcome answered(String id, int trueLabel, long sent, long deadline, long received,
            ResultStatus status, int label, String reason, double queueMs, String... variants) {
        return new RequestOutcome(id, trueLabel, sent, deadline,
                result(id, status, label, reason, deadline, received, queueMs, variants), received);
    }

    /**
     * Seven requests sent from 1000 to 1060 ms, deadlines 100 ms after sending; six answered, by 1200 ms.
     * Labelled answers: r1 right on time (50 ms), r2 wrong on time (20 ms), r3 right but late
     * (180 ms), r7 right and PARTIAL on time (30 ms).
     */
    private static List<RequestOutcome> outcomes() {
        List<RequestOutcome> o = new ArrayList<>();
        o.add(answered("r1", 3, 1000, 1100, 1050, ResultStatus.OK, 3, null, 4, "linear"));
        o.add(answered("r2", 5, 1010, 1110, 1030, ResultStatus.OK, 2, null, 2, "mlp"));
        o.add(answered("r3", 1, 1020, 1120, 1200, ResultStatus.OK, 1, null, 8, "linear"));
        o.add(answered("r4", 0, 1030, 1130, 1140, ResultStatus.DEADLINE_EXCEEDED, -1,
                "dropped by executor e1: deadline passed 12 ms ago", 0));
        o.add(answered("r5", 0, 1040, 1140, 1045, ResultStatus.REJECTED, -1,
                "no variant reaches min_accuracy 0.9500", 0));
        o.add(new RequestOutcome("r6", 0, 1050, 1150, null, 0));
        o.add(answered("r7", 4, 1060, 1160, 1090, ResultStatus.PARTIAL, 4, null, 6, "linear", "mlp"));
        return o;
    }

    @Test
    void countsSentReceivedMissingAndPassesDuplicatesThrough() {
        RunSummary s = RunSummary.of(outcomes(), 2, "infaas", "exactly-once", 100);
        assertEquals(7, s.requestsSent());
        assertEquals(6, s.resultsReceived());
        assertEquals(1, s.missing(), "the unanswered request");
        assertEquals(2, s.duplicates());
        assertEquals("infaas", s.policy());
        assertEquals("exactly-once", s.deliveryMode());
        assertEquals(100, s.deadlineMs());
    }

    @Test
    void statusCountsListEveryStatus() {
        RunSummary s = RunSummary.of(outcomes(), 0, "infaas", "at-least-once", 100);
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("OK", 3L);
        expected.put("PARTIAL", 1L);
        expected.put("DEADLINE_EXCEEDED", 1L);
        expected.put("REJECTED", 1L);
        expected.put("INVALID", 0L);
        assertEquals(expected, s.statusCounts());
    }

    @Test
    void accuracyIsOverLabelledAnswersAndAttainmentOverSent() {
        RunSummary s = RunSummary.of(outcomes(), 0, "infaas", "at-least-once", 100);
        assertEquals(0.75, s.accuracy(), 1e-12, "3 right of 4 labelled answers");
        assertEquals(0.285714, s.effectiveAccuracy(), 1e-12, "2 right and on time of 7 sent");
        assertEquals(0.428571, s.sloAttainment(), 1e-12, "3 on time (OK or PARTIAL) of 7 sent");
    }

    @Test
    void latencyPercentilesOverLabelledAnswers() {
        RunSummary s = RunSummary.of(outcomes(), 0, "infaas", "at-least-once", 100);
        // latencies 20, 30, 50, 180 (nearest rank)
        assertEquals(Map.of("p50", 30.0, "p95", 180.0, "p99", 180.0), s.latencyMs());
        assertEquals(List.of("p50", "p95", "p99"), List.copyOf(s.latencyMs().keySet()));
        // queue 2, 4, 6, 8 -> p50 4
        assertEquals(4.0, s.stageLatencyMsP50().get("queue"));
        assertEquals(1.0, s.stageLatencyMsP50().get("compute"));
    }

    @Test
    void variantMixCountsEveryMemberOfEveryAnswer() {
        RunSummary s = RunSummary.of(outcomes(), 0, "infaas", "at-least-once", 100);
        assertEquals(Map.of("linear", 3L, "mlp", 2L), s.variantMix());
    }

    @Test
    void throughputAndOfferedRate() {
        RunSummary s = RunSummary.of(outcomes(), 0, "infaas", "at-least-once", 100);
        assertEquals(0.2, s.durationS(), 1e-12, "first send 1000 ms to last receipt 1200 ms");
        assertEquals(30.0, s.throughputRps(), 1e-12, "6 results in 0.2 s");
        assertEquals(116.67, s.offeredRps(), 1e-12, "7 sent in 0.06 s");
    }

    @Test
    void reasonsAreGroupedByStatusWithNumbersMasked() {
        List<RequestOutcome> o = new ArrayList<>(outcomes());
        o.add(answered("r8", 0, 1070, 1170, 1180, ResultStatus.DEADLINE_EXCEEDED, -1,
                "dropped by executor e2: deadline passed 3 ms ago", 0));
        RunSummary s = RunSummary.of(o, 0, "infaas", "at-least-once", 100);
        assertEquals(Map.of(
                "DEADLINE_EXCEEDED: dropped by executor eN: deadline passed N ms ago", 2L,
                "REJECTED: no variant reaches min_accuracy N", 1L), s.topReasons());
        assertEquals("DEADLINE_EXCEEDED: dropped by executor eN: deadline passed N ms ago",
                s.topReasons().keySet().iterator().next(), "most frequent first");
    }

    @Test
    void nothingAnswered() {
        List<RequestOutcome> o = List.of(new RequestOutcome("a", 1, 0, 100, null, 0),
                new RequestOutcome("b", 1, 10, 110, null, 0));
        RunSummary s = RunSummary.of(o, 0, "fixed-low", "at-least-once", 100);
        assertEquals(2, s.requestsSent());
        assertEquals(0, s.resultsReceived());
        assertEquals(2, s.missing());
        assertEquals(0.0, s.accuracy());
        assertEquals(0.0, s.effectiveAccuracy());
        assertEquals(0.0, s.sloAttainment());
        assertEquals(0.0, s.throughputRps());
        assertTrue(s.variantMix().isEmpty());
    }

    @Test
    void jsonUsesTheDocumentedSnakeCaseNames() throws Exception {
        RunSummary s = RunSummary.of(outcomes(), 2, "infaas", "exactly-once", 100);
        JsonNode json = new ObjectMapper().readTree(s.toJson());
        List<String> fields = new ArrayList<>();
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            fields.add(it.next());
        }
        for (String name : List.of("requests_sent", "results_received", "duplicates", "missing", "status_counts",
                "accuracy", "effective_accuracy", "slo_attainment", "latency_ms", "throughput_rps", "variant_mix",
                "policy")) {
            assertTrue(fields.contains(name), name + " missing from " + fields);
        }
        assertTrue(fields.stream().noneMatch(f -> !f.equals(f.toLowerCase())), "no camelCase: " + fields);
        assertEquals("policy", fields.get(0), "ordered as documented: " + fields);
        assertEquals(7, json.get("requests_sent").asLong());
        assertEquals(6, json.get("results_received").asLong());
        assertEquals(2, json.get("duplicates").asLong());
        assertEquals(1, json.get("missing").asLong());
        assertEquals(3, json.get("status_counts").get("OK").asLong());
        assertEquals(0.75, json.get("accuracy").asDouble(), 1e-12);
        assertEquals(0.285714, json.get("effective_accuracy").asDouble(), 1e-12);
        assertEquals(0.428571, json.get("slo_attainment").asDouble(), 1e-12);
        assertEquals(30.0, json.get("latency_ms").get("p50").asDouble(), 1e-12);
        assertEquals(180.0, json.get("latency_ms").get("p95").asDouble(), 1e-12);
        assertEquals(180.0, json.get("latency_ms").get("p99").asDouble(), 1e-12);
        assertEquals(30.0, json.get("throughput_rps").asDouble(), 1e-12);
        assertEquals(3, json.get("variant_mix").get("linear").asLong());
        assertEquals("infaas", json.get("policy").asText());
        assertEquals("exactly-once", json.get("delivery_mode").asText());
    }
}
