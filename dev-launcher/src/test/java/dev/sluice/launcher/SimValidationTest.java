package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.trace.RateTrace;
import dev.sluice.sim.Comparison.PolicySummary;
import dev.sluice.sim.RunResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sim --validate's reading of a pipeline side and its side-by-side rows. */
class SimValidationTest {
    private static final String PIPELINE = """
            {
              "command": "./sluice bench policies --policies a,b",
              "policies": {
                "a": {"slo_attainment": 0.95, "effective_accuracy": 0.85, "latency_ms": {"p50": 50.0, "p99": 200.0},
                      "variant_mix": {"linear": 10}},
                "b": {"slo_attainment": 0.60, "effective_accuracy": 0.55, "latency_ms": {"p50": 90.0, "p99": 400.0},
                      "variant_mix": {"vgg": 10}}
              },
              "host_probes": {
                "a": {"variant": "vgg-b-tta", "batch": 8, "threads": 2, "profile_p50_ms": 10.0, "before_ms": 30.0,
                      "after_ms": 50.0, "load_average_before": [10.0, 9.0, 8.0], "load_average_after": [12.0, 9.5, 8.1]}
              },
              "loaded_probe": {"variant": "vgg-b-tta", "batch": 8, "threads": 2, "profile_p50_ms": 10.0, "idle_ms": 15.0,
                               "loaded_ms": 45.0, "rps": 300.0, "cores": 2},
              "batch_compute_ms_by_variant": {"a": {"linear": {"p50": 0.2, "p90": 0.4, "n": 10}}},
              "status_age_ms_by_policy": {"b": {"mean_ms": 21.5, "statuses": 400}},
              "request_hop_worst_second_by_policy": {"a": {"median_ms": 9.0, "second": 12},
                                                     "b": {"median_ms": 144.0, "second": 16}},
              "cores_by_thread_group_busy": {
                "b": {"window_s": 10.0, "sent_rps": 348.0, "total_cores": 1.94,
                      "cores": {"executor-vgg-tt": 0.48, "data-plane-kafk": 0.467, "java": 0.365, "kafka-producer": 0.163,
                                "other": 0.464}}
              }
            }
            """;

    private static RunResult run(double slo, double effectiveAccuracy) {
        return new RunResult(100, slo, 0, 0, 0, effectiveAccuracy, effectiveAccuracy, 1, 1, Map.of("p50", 40.0, "p99", 150.0),
                Map.of("linear", 100L), 1, Map.of(), 0.1, 0, 0, 0, 1000, 0.1, 0.1, Map.of("linear", 0.3), Map.of("linear", 2.0), null);
    }

    @Test
    void readsABenchPoliciesSummaryWithItsHostProbes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, PIPELINE);
        SimValidation.PipelineSide p = SimValidation.read(f);
        assertEquals(List.of("a", "b"), List.copyOf(p.policies().keySet()));
        assertEquals("./sluice bench policies --policies a,b", p.source());
        assertNull(p.hopsFile()); // none named
        SimValidation.HostProbe probe = p.probes().get("a");
        // (30 + 50) / 2 = 40 ms against a 10 ms profile: 4x, every simulated batch's factor beside this policy
        assertEquals(4.0, probe.slowdown(), 1e-12);
        assertNull(probe.loaded(), "a file from before the per-policy loaded probes has none for the policy");
    }

    @Test
    void theLoadedProbeGivesWhatARequestOfTransportCostsABatch(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, PIPELINE);
        SimValidation.LoadedProbe loaded = SimValidation.read(f).loaded();
        // fluid sharing (no penalty): 45 ms loaded against 15 ms idle: 3x; on 2 cores a batch of 2 threads ran as if 6
        // cores were wanted, 4 of them by the transport: 4 cores at 300 rps, 13.3 ms of a core per request (the idle
        // probe's 1.5x against the profile is a factor apart)
        assertEquals(4000.0 / 300, loaded.transportMsPerRequest(1), 1e-9);
        // with the oversubscription penalty part of the 3x is the threads waiting for each other: 3 = d / 2 x 1.22
        // at d = 4.918 cores wanted, 2.918 of them by the transport
        assertEquals((3 * 2 / 1.22 - 2) * 1000 / 300, loaded.transportMsPerRequest(1.22), 1e-6);
        assertEquals(loaded.transportMsPerRequest(dev.sluice.sim.SharedHost.MEASURED_OVERSUBSCRIPTION),
                loaded.transportMsPerRequest(), 1e-12);
        // a probe the load did not slow costs nothing
        assertEquals(0.0, new SimValidation.LoadedProbe("v", 8, 2, 10, 15, 14, 300, 2).transportMsPerRequest());
        // 25 / 8 x 2 - 2 = 4.25 cores at 300 rps
        assertEquals(4250.0 / 300, new SimValidation.LoadedProbe("v", 8, 2, 10, 8, 25, 300, 2).transportMsPerRequest(1),
                1e-9);
        Files.writeString(f, PIPELINE.replaceAll("(?s)\"loaded_probe\": \\{[^}]*},", ""));
        assertNull(SimValidation.read(f).loaded(), "a pipeline side from before the loaded probe has none");
    }

    @Test
    void theTwoBatchProbeFitsTheHostModelForOverlappingBatches(@TempDir Path dir) throws Exception {
        // profiles 10 and 8 ms, alone 2x: 20 and 16 ms alone; two at once idle 44 and 35.2 (2.2x alone each), beside
        // 300 rps 80 and 64 (4x each), on 2 cores
        SimValidation.PairProbe pair = new SimValidation.PairProbe(300, 2, 2, List.of("a", "b"), new double[] {10, 8},
                new double[] {44, 35.2}, new double[] {80, 64});
        // two batches of 2 threads want 4 cores: fluid sharing 2x, so the penalty is 2.2 / 2
        assertEquals(1.1, pair.overlapOversubscription(2), 1e-9);
        // 4x = d / 2 x 1.1 at d = 7.27 cores wanted, 3.27 of them by the transport, at 300 rps
        double t = pair.overlapTransportMsPerRequest(2);
        assertEquals((4 * 2 / 1.1 - 4) * 1000 / 300, t, 1e-6);
        // the host model charged so gives the measured slowdowns back
        assertEquals(2.2, dev.sluice.sim.SharedHost.contention(2, 4, pair.overlapOversubscription(2)), 1e-9);
        assertEquals(4.0, dev.sluice.sim.SharedHost.contention(2, 4 + t * 300 / 1000, 1.1), 1e-6);
        // pairs no slower than fluid sharing, or whose threads fit the cores, get no penalty
        assertEquals(1.0, new SimValidation.PairProbe(300, 2, 2, List.of("a", "b"), new double[] {10, 8},
                new double[] {36, 30}, new double[] {80, 64}).overlapOversubscription(2), 1e-12);
        assertEquals(1.0, new SimValidation.PairProbe(300, 8, 2, List.of("a", "b"), new double[] {10, 8},
                new double[] {44, 35.2}, new double[] {80, 64}).overlapOversubscription(2), 1e-12);
        // written and read back with the pipeline side
        Path f = dir.resolve("p.json");
        Files.writeString(f, dev.sluice.bench.SummaryJson.MAPPER.writeValueAsString(Map.of("policies",
                Map.of("x", Map.of("slo_attainment", 1.0)), "concurrent_probe", pair.toJson())));
        SimValidation.PairProbe read = SimValidation.read(f).pair();
        assertEquals(List.of("a", "b"), read.variants());
        assertEquals(t, read.overlapTransportMsPerRequest(2), 0.01);
        Files.writeString(f, dev.sluice.bench.SummaryJson.MAPPER.writeValueAsString(Map.of("policies",
                Map.of("x", Map.of("slo_attainment", 1.0)))));
        assertNull(SimValidation.read(f).pair(), "a pipeline side from before the two-batch probe has none");
    }

    @Test
    void theExecutorsShareOfTheTransportIsTheirThreadsOverAllButTheProbes() {
        // cores by thread group while the loaded probe ran: the probe's own thread left out, and of the executors only
        // the one the load went to (the others' idle polls run beside any batch)
        Map<String, Double> cores = Map.of("validate-probe", 0.9, "data-plane-kafk", 0.5, "executor-linear", 0.06,
                "executor-mlp", 0.02, "kafka-producer", 0.2, "other", 0.02);
        assertEquals(0.06 / 0.8, SimValidation.executorShare(cores, "executor-linear"), 1e-12);
        assertEquals(0.0, SimValidation.executorShare(cores, "executor-cnn-sm"), "an executor that did not run");
        assertTrue(Double.isNaN(SimValidation.executorShare(Map.of("validate-probe", 1.0), "executor-linear")),
                "nothing else ran");
        // the group a thread's name lands in: Linux keeps 15 characters of it
        assertEquals("executor-linear", dev.sluice.bench.overhead.ThreadCpu.groupOfThread("executor-linear"));
        assertEquals("executor-cnn-sm", dev.sluice.bench.overhead.ThreadCpu.groupOfThread("executor-cnn-small"));
        assertEquals("executor-vgg", dev.sluice.bench.overhead.ThreadCpu.groupOfThread("executor-vgg"));
        // recorded with the probe, averaged between two, read back; a probe from before it was measured reads NaN
        var before = new SimValidation.LoadedProbe("v", 8, 2, 10, 14, 40, 300, 2, 0.05);
        var after = new SimValidation.LoadedProbe("v", 8, 2, 10, 16, 50, 300, 2, 0.07);
        assertEquals(0.06, before.between(after).executorShare(), 1e-12);
        assertEquals(0.05, ((Number) before.toJson().get("executor_share")).doubleValue());
        assertEquals(0.05, SimValidation.LoadedProbe.fromJson(new com.fasterxml.jackson.databind.ObjectMapper()
                .valueToTree(before.toJson())).executorShare(), 1e-12);
        assertTrue(Double.isNaN(SimValidation.LoadedProbe.fromJson(new com.fasterxml.jackson.databind.ObjectMapper()
                .valueToTree(new SimValidation.LoadedProbe("v", 8, 2, 10, 14, 40, 300, 2).toJson())).executorShare()));
        assertFalse(new SimValidation.LoadedProbe("v", 8, 2, 10, 14, 40, 300, 2).toJson().containsKey("executor_share"));
    }

    @Test
    void eachPolicyIsSimulatedBesideTheLoadedProbesOnItsTwoSides(@TempDir Path dir) throws Exception {
        SimValidation.LoadedProbe before = new SimValidation.LoadedProbe("v", 8, 2, 10, 14, 40, 300, 2);
        SimValidation.LoadedProbe after = new SimValidation.LoadedProbe("v", 8, 2, 10, 16, 50, 300, 2);
        SimValidation.LoadedProbe policy = before.between(after);
        // idle (14 + 16) / 2 = 15 ms, loaded (40 + 50) / 2 = 45 ms: the file's single probe above
        assertEquals(15.0, policy.idleMs(), 1e-12);
        assertEquals(45.0, policy.loadedMs(), 1e-12);
        assertEquals(4000.0 / 300, policy.transportMsPerRequest(1), 1e-9);
        // written with the policy's host probe and read back
        SimValidation.HostProbe probe = new SimValidation.HostProbe("v", 8, 2, 10, 14, 16, new double[3], new double[3], policy);
        Path f = dir.resolve("p.json");
        Files.writeString(f, dev.sluice.bench.SummaryJson.MAPPER.writeValueAsString(Map.of("policies",
                Map.of("a", Map.of("slo_attainment", 1.0)), "host_probes", Map.of("a", probe.toJson(2)))));
        SimValidation.HostProbe read = SimValidation.read(f).probes().get("a");
        assertEquals(45.0, read.loaded().loadedMs(), 1e-12);
        assertEquals(4000.0 / 300, read.loaded().transportMsPerRequest(1), 1e-9);
    }

    @Test
    void rowsSayWhetherBothFiguresAreWithinTolerance(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, PIPELINE);
        SimValidation.PipelineSide p = SimValidation.read(f);
        Map<String, PolicySummary> sim = new LinkedHashMap<>();
        sim.put("a", new PolicySummary(List.of(7L), List.of(run(0.97, 0.855)))); // +0.02 SLO, +0.5 points: within
        sim.put("b", new PolicySummary(List.of(7L), List.of(run(0.62, 0.57)))); // +0.02 SLO but +2 points: not
        sim.put("c", new PolicySummary(List.of(7L), List.of(run(1, 1)))); // not in the pipeline's results: no row
        Map<String, Map<String, Object>> rows = SimValidation.compare(p, sim);
        assertEquals(List.of("a", "b"), List.copyOf(rows.keySet()));
        Map<String, Object> a = rows.get("a");
        assertEquals(0.97, a.get("sim_slo"));
        assertEquals(0.95, a.get("pipeline_slo"));
        assertEquals(0.855, a.get("sim_effective_accuracy"));
        assertEquals(0.85, a.get("pipeline_effective_accuracy"));
        assertEquals(0.02, (double) a.get("slo_difference"), 1e-9);
        assertEquals(0.5, (double) a.get("effective_accuracy_difference_points"), 1e-9);
        assertEquals(true, a.get("within"));
        assertEquals(Map.of("linear", 0.2), a.get("pipeline_batch_compute_ms_p50"));
        assertEquals(false, rows.get("b").get("within"));
        String table = SimValidation.table(p, sim);
        assertTrue(table.contains("(not in the pipeline's results)"), table);
        assertTrue(SimValidation.computeTable(p, sim).contains("linear 0.2/0.3"), SimValidation.computeTable(p, sim));
        // the models (executor threads and ONNX Runtime's "java" threads) against every other thread
        String cores = SimValidation.coresTable(p);
        assertTrue(cores.contains("models 0.85 / transport 1.09 cores (348 rps sent)"), cores);
        assertTrue(cores.startsWith("the pipeline's cores"), cores);
        // b's transport stalled in the pipeline run (a 144 ms request hop at the median in its worst second): flagged
        assertEquals(false, a.get("transport_stalled"));
        assertEquals(true, rows.get("b").get("transport_stalled"));
        assertEquals(144.0, rows.get("b").get("request_hop_worst_second_ms"));
        String stalls = SimValidation.stallNotes(p, sim);
        assertTrue(stalls.startsWith("b: the pipeline's transport stalled") && !stalls.contains("a: "), stalls);
    }

    @Test
    void theStatusAgeSumsEverySelectorsTimerAndIsReadBack(@TempDir Path dir) throws Exception {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        assertEquals(0.0, SimValidation.statusAge(registry)[0]);
        // every timer of that name is summed, however tagged (selector replicas in one JVM share one untagged timer)
        io.micrometer.core.instrument.Timer.builder("sluice.selector.status.age").tag("app", "s0").register(registry)
                .record(10, java.util.concurrent.TimeUnit.MILLISECONDS);
        var t1 = io.micrometer.core.instrument.Timer.builder("sluice.selector.status.age").tag("app", "s1").register(registry);
        t1.record(20, java.util.concurrent.TimeUnit.MILLISECONDS);
        t1.record(30, java.util.concurrent.TimeUnit.MILLISECONDS);
        double[] age = SimValidation.statusAge(registry);
        assertEquals(3.0, age[0]);
        assertEquals(60.0, age[1], 1e-9);
        Path f = dir.resolve("p.json");
        Files.writeString(f, PIPELINE);
        assertEquals(21.5, SimValidation.read(f).statusAges().path("b").path("mean_ms").asDouble());
    }

    @Test
    void theFetchesBackInTimeAreCountedOverEveryVariantByThePollBeforeAndReadBackPerPolicy(@TempDir Path dir)
            throws Exception {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        polls(registry, "v1", "back", "none", 1);
        polls(registry, "v1", "back", "back", 2);
        polls(registry, "v2", "back", "late", 1);
        polls(registry, "v1", "late", "back", 2);
        polls(registry, "v1", "late", "late", 4);
        SimValidation.FetchPolls before = SimValidation.prefetchNextPolls(registry);
        assertEquals(4.0, before.backTotal());
        assertEquals(10.0, before.polls());
        polls(registry, "v1", "late", "late", 3);
        SimValidation.FetchPolls during = SimValidation.prefetchNextPolls(registry).minus(before);
        assertEquals(3.0, during.polls(), "only what came after the first reading");
        Map<String, Object> json = before.toJson();
        assertEquals(0.4, json.get("back_share"));
        assertEquals(Map.of("back", 2L, "polls", 4L), json.get("after_back"));
        assertEquals(Map.of("back", 1L, "polls", 5L), json.get("after_late"));

        Path f = dir.resolve("p.json");
        Files.writeString(f, PIPELINE.replace("\"status_age_ms_by_policy\"",
                "\"prefetch_back_by_policy\": {\"b\": " + new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(json) + "}, \"status_age_ms_by_policy\""));
        SimValidation.PipelineSide side = SimValidation.read(f);
        assertEquals(0.4, side.fetchBackShare("b"));
        assertEquals(1.0, side.fetchBackShare("a"), "a policy without such polls: every fetch back, as before the measurement");
        Files.writeString(f, PIPELINE);
        assertEquals(1.0, SimValidation.read(f).fetchBackShare("b"), "a side from before the measurement");
    }

    @Test
    void theExecutorsLoopBetweenBatchesAndTheBusyBatchesAreReadBackPerPolicy(@TempDir Path dir) throws Exception {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.DistributionSummary.builder("sluice.executor.turn.gap").tag("variant", "v1")
                .register(registry).record(2.0);
        io.micrometer.core.instrument.DistributionSummary.builder("sluice.executor.turn.gap").tag("variant", "v2")
                .register(registry).record(4.0);
        double[] gaps = SimValidation.turnGaps(registry);
        assertEquals(2.0, gaps[0]);
        assertEquals(6.0, gaps[1]);
        Path f = dir.resolve("p.json");
        Files.writeString(f, PIPELINE.replace("\"status_age_ms_by_policy\"",
                "\"turn_gap_ms_by_policy\": {\"b\": {\"mean_ms\": 2.5, \"turns\": 300}, \"c\": {\"mean_ms\": 1.5, "
                        + "\"turns\": 100}}, \"batch_ms_busy_by_variant\": "
                        + "{\"b\": {\"vgg-tta\": {\"requests\": 1500, \"mean_ms\": 47.2}}}, \"status_age_ms_by_policy\""));
        SimValidation.PipelineSide side = SimValidation.read(f);
        assertEquals(2.5, side.turnGapMs("b"));
        assertEquals(1.5, side.turnGapMs("c"));
        assertEquals(2.25, side.turnGapMs("a"), 1e-12, "a policy without back-to-back batches: the run's, over every turn");
        RateTrace t = s -> 100;
        assertEquals(Map.of("vgg-tta", new MeasuredSpeed.Batches(1500, 47.2)), side.busyBatches("b", t));
        assertEquals(Map.of(), side.busyBatches("a", t), "none recorded, and no requests file at hand");
        Files.writeString(f, PIPELINE);
        assertEquals(0.0, SimValidation.read(f).turnGapMs("b"), "a side from before the measurement");
    }

    private static void polls(io.micrometer.core.instrument.MeterRegistry registry, String variant, String fetch,
            String previous, double n) {
        io.micrometer.core.instrument.Counter.builder("sluice.executor.prefetch.next.polls").tag("variant", variant)
                .tag("fetch", fetch).tag("previous", previous).register(registry).increment(n);
    }

    @Test
    void aPipelineSideWithoutCpuTimesPrintsNoCoresTable(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, "{\"policies\": {\"a\": {\"slo_attainment\": 1.0}}}");
        assertEquals("", SimValidation.coresTable(SimValidation.read(f)));
    }

    @Test
    void aFileWithoutPoliciesIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, "{\"trace\": \"burst\"}");
        assertThrows(IllegalArgumentException.class, () -> SimValidation.read(f));
    }

    @Test
    void aMemberOutputIsCountedForThePolicyItsRequestIdNames() {
        assertEquals("clipper-bandit", SimValidation.BatchSizes.policyOf("bench-clipper-bandit-lq2x1a-17"));
        assertEquals("fixed-high", SimValidation.BatchSizes.policyOf("bench-fixed-high-abc-0"));
        assertEquals("infaas", SimValidation.BatchSizes.policyOf("bench-infaas-x-5"));
        assertNull(SimValidation.BatchSizes.policyOf("validate-hops-before-3"));
        assertNull(SimValidation.BatchSizes.policyOf("bench-x"));
        assertNull(SimValidation.BatchSizes.policyOf(null));
    }

    @Test
    void hopFilesSitBesideThePipelineSummary() {
        assertEquals(Path.of("runs/v.hops"), SimValidation.hopsFileOf(Path.of("runs/v.json"), null));
        assertEquals(Path.of("runs/v-fixed_a_b.hops"), SimValidation.hopsFileOf(Path.of("runs/v.json"), "fixed:a+b"));
    }

    @Test
    void aBurstsSecondsAreBusyAndASteadyTraceHasNone() {
        // 90 rps with 350 from 10 s to 20 s: busy above halfway, 220
        dev.sluice.decision.trace.RateTrace burst = t -> t >= 10 && t < 20 ? 350 : 90;
        assertEquals(220.0, SimValidation.busyThreshold(burst, 30), 1e-9);
        assertEquals(0.0, SimValidation.busyThreshold(dev.sluice.decision.trace.RateTrace.steady(100), 30));
        // requests sent at 1 s, 10.5 s and 25 s after the first (at 1000 ms): only the one in the burst is busy
        List<dev.sluice.ingest.load.RequestOutcome> sent = List.of(outcome("a", 1_000), outcome("b", 2_000),
                outcome("c", 11_500), outcome("d", 26_000));
        assertEquals(List.of("c"), SimValidation.inBusySeconds(sent, burst, 220).stream()
                .map(dev.sluice.ingest.load.RequestOutcome::id).toList());
    }

    @Test
    void readsEachPolicysBusyHopsWhereTheFilesExist(@TempDir Path dir) throws Exception {
        Path busy = dir.resolve("p-a-busy.hops");
        Files.writeString(busy, "x");
        Path f = dir.resolve("p.json");
        Files.writeString(f, PIPELINE.replace("\"batch_compute_ms_by_variant\"", "\"busy_hops_above_rps\": 220.0, "
                + "\"policy_busy_hops_files\": {\"a\": \"" + busy + "\", \"b\": \"" + dir.resolve("missing.hops") + "\"}, "
                + "\"batch_compute_ms_by_variant\""));
        SimValidation.PipelineSide p = SimValidation.read(f);
        assertEquals(220.0, p.busyAboveRps());
        assertEquals(Map.of("a", busy), p.policyBusyHops());
        Files.writeString(f, PIPELINE);
        assertEquals(0.0, SimValidation.read(f).busyAboveRps(), "a file from before the busy hops has none");
        assertTrue(SimValidation.read(f).policyBusyHops().isEmpty());
    }

    private static dev.sluice.ingest.load.RequestOutcome outcome(String id, long sentAtMs) {
        return new dev.sluice.ingest.load.RequestOutcome(id, 0, sentAtMs, sentAtMs + 300, null, -1);
    }
}
