package dev.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.ingest.load.RequestOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyResultTest {
    static RequestOutcome outcome(String id, int truth, long sent, long deadline, ResultStatus status, int label, long received,
            String variant) {
        InferenceResult r = InferenceResult.newBuilder().setRequestId(id).setStatus(status).setLabel(label)
                .setVariants(List.of(variant)).setLatency(new StageLatency()).setCreatedAtMs(sent).setDeadlineMs(deadline)
                .setCompletedAtMs(received).build();
        return new RequestOutcome(id, truth, sent, deadline, r, received);
    }

    @Test
    void splitsViolationsIntoDroppedAndLate() {
        List<RequestOutcome> o = List.of(
                outcome("a", 1, 1000, 1100, ResultStatus.OK, 1, 1050, "big"),          // on time, correct
                outcome("b", 2, 1000, 1100, ResultStatus.OK, 3, 1090, "small"),        // on time, wrong
                outcome("c", 1, 1000, 1100, ResultStatus.OK, 1, 1200, "big"),          // late, correct
                outcome("d", 1, 1000, 1100, ResultStatus.REJECTED, -1, 1010, "none"),  // dropped
                outcome("e", 1, 1000, 1100, ResultStatus.DEADLINE_EXCEEDED, -1, 1100, "big"),
                new RequestOutcome("f", 0, 1000, 1100, null, 0));                       // never answered
        PolicyResult r = PolicyResult.of(o, 2.0, 12.5);
        assertEquals(6, r.sent());
        assertEquals(3, r.dropped());
        assertEquals(1, r.late());
        assertEquals(4, r.violations());
        assertEquals(2 / 6.0, r.sloAttainment(), 1e-6);
        assertEquals(1 / 6.0, r.effectiveAccuracy(), 1e-6);
        assertEquals(2 / 3.0, r.accuracy(), 1e-6);
        assertEquals(1.0, r.throughputRps(), 1e-9);
        assertEquals(3.0, r.offeredRps(), 1e-9);
        assertEquals(Map.of("big", 3L, "small", 1L, "none", 1L), r.variantMix());
        assertEquals(12.5, r.decisionUsP99());
    }

    @Test
    void violationsAreBrokenDownByStageWhereTheyHadAResult() {
        RequestOutcome onTime = outcome("a", 1, 1000, 1100, ResultStatus.OK, 1, 1050, "v");
        onTime.result().setLatency(stages(1, 1, 40, 2, 1));
        RequestOutcome late1 = outcome("b", 1, 1000, 1100, ResultStatus.OK, 1, 1300, "v");
        late1.result().setLatency(stages(250, 1, 10, 2, 5));
        RequestOutcome late2 = outcome("c", 1, 1000, 1100, ResultStatus.OK, 1, 1400, "v");
        late2.result().setLatency(stages(350, 3, 20, 2, 7));
        RequestOutcome rejected = outcome("d", 1, 1000, 1100, ResultStatus.REJECTED, -1, 1310, "none");
        rejected.result().setLatency(stages(300, 2, 0, 0, 0));
        RequestOutcome missing = new RequestOutcome("e", 0, 1000, 1100, null, 0);
        PolicyResult r = PolicyResult.of(List.of(onTime, late1, late2, rejected, missing), 1.0, 0);
        assertEquals(4, r.violations());
        // the three violations with a result; the on-time request's 40 ms queue is not among them
        assertEquals(Map.of("ingest", 300.0, "select", 2.0, "queue", 10.0, "compute", 2.0, "aggregate", 5.0),
                r.violationStagesMs());
        String table = PolicyBenchmark.violationStagesTable(Map.of("infaas", r));
        assertTrue(table.contains("300.0") && table.contains("ingest"), table);
        PolicyResult clean = PolicyResult.of(List.of(onTime), 1.0, 0);
        assertEquals(Map.of(), clean.violationStagesMs());
    }

    private static StageLatency stages(double ingest, double select, double queue, double compute, double aggregate) {
        return StageLatency.newBuilder().setIngestMs(ingest).setSelectMs(select).setQueueMs(queue).setComputeMs(compute)
                .setAggregateMs(aggregate).setTotalMs(ingest + select + queue + compute + aggregate).build();
    }

    @Test
    void theRoundsTableGivesEachRoundsAttainmentAndTheSpread() {
        PolicyResult good = PolicyResult.of(List.of(outcome("a", 1, 1000, 1100, ResultStatus.OK, 1, 1050, "v"),
                outcome("b", 1, 1000, 1100, ResultStatus.OK, 1, 1060, "v")), 1.0, 0);
        PolicyResult half = PolicyResult.of(List.of(outcome("c", 1, 1000, 1100, ResultStatus.OK, 1, 1050, "v"),
                outcome("d", 1, 1000, 1100, ResultStatus.OK, 1, 1300, "v")), 1.0, 0);
        String t = PolicyBenchmark.roundsTable(Map.of("mosel", List.of(half, good)));
        assertTrue(t.contains("mosel") && t.contains("[0.5000, 1.0000]") && t.contains("min 0.5000, max 1.0000")
                && t.contains("violations by round [1, 0]"), t);
    }

    @Test
    void timeSeriesBucketsBySendSecondAndChartsRender() {
        List<RequestOutcome> o = List.of(outcome("a", 1, 1000, 1100, ResultStatus.OK, 1, 1050, "v"),
                outcome("b", 1, 2500, 2600, ResultStatus.OK, 0, 2700, "v"));
        TimeSeries s = TimeSeries.of(o, 1000, 3);
        assertEquals(1, s.offered()[0]);
        assertEquals(1, s.offered()[1]);
        assertEquals(1, s.servedOnTime()[0]);
        assertEquals(1, s.violations()[1]);
        assertEquals(1.0, s.accuracy()[0]);
        assertEquals(0.0, s.accuracy()[1]);
        assertTrue(Double.isNaN(s.accuracy()[2]));
        String html = HtmlReport.render("t <x>", "table", Map.of("infaas", s));
        assertTrue(html.contains("<svg") && html.contains("<path") && html.contains("t &lt;x&gt;"), html);
        for (String label : List.of("time since the first request, s", "requests/s", "accuracy (correct / answered)", ">infaas<",
                ">offered<")) {
            assertTrue(html.contains(label), "axis label or legend entry " + label);
        }
    }
}
