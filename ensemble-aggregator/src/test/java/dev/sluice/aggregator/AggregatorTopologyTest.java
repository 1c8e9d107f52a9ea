package dev.sluice.aggregator;

import static dev.sluice.aggregator.Fixtures.CREATED;
import static dev.sluice.aggregator.Fixtures.PLANNED;
import static dev.sluice.aggregator.Fixtures.T0;
import static dev.sluice.aggregator.Fixtures.failed;
import static dev.sluice.aggregator.Fixtures.ok;
import static dev.sluice.aggregator.Fixtures.plan;
import static dev.sluice.aggregator.Fixtures.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.Vote;
import dev.sluice.avro.VoteMethod;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregatorTopologyTest {
    private static final long DEADLINE = T0 + 100;

    @TempDir
    Path stateDir;

    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(T0));
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AggregatorMetrics metrics = new AggregatorMetrics(registry);
    private TopologyTestDriver driver;
    private TestInputTopic<String, Plan> plans;
    private TestInputTopic<String, ModelOutput> partials;
    private TestOutputTopic<String, InferenceResult> results;

    @BeforeEach
    void start() {
        AggregatorConfig cfg = AggregatorConfig.defaults();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(AggregatorTopology.build(serdes, cfg, clock, metrics), props,
                Instant.ofEpochMilli(T0));
        plans = driver.createInputTopic(Topics.DEFAULT.plans(), Serdes.String().serializer(), serdes.serializer());
        partials = driver.createInputTopic(Topics.DEFAULT.partials(), Serdes.String().serializer(), serdes.serializer());
        results = driver.createOutputTopic(Topics.DEFAULT.results(), Serdes.String().deserializer(), serdes.deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Moves the decision clock and the driver's wall clock together (fires due punctuations). */
    private void advance(long ms) {
        clock.advance(Duration.ofMillis(ms));
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    private long now() {
        return clock.millis();
    }

    private void send(Plan p) {
        plans.pipeInput(p.getRequestId(), p);
    }

    private void send(ModelOutput o) {
        partials.pipeInput(o.getRequestId(), o);
    }

    private static InferenceResult.Builder expected(Plan p, ResultStatus status, long now, StageLatency latency) {
        return InferenceResult.newBuilder()
                .setTask(p.getTask())
                .setRequestId(p.getRequestId()).setStatus(status).setRevision(0).setFinal$(true)
                .setVariants(p.getVariants()).setPolicy("test-policy")
                .setCreatedAtMs(CREATED).setDeadlineMs(p.getDeadlineMs()).setCompletedAtMs(now)
                .setLatency(latency);
    }

    /** ingest 2, select 3, then the given member stages, total from CREATED. */
    private static StageLatency latency(double queue, double compute, double aggregate, long now) {
        return new StageLatency(2.0, 3.0, queue, compute, aggregate, (double) (now - CREATED));
    }

    private double counter(String name) {
        return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double results(ResultStatus s) {
        return registry.get("sluice.aggregator.results").tag("status", s.name()).counter().count();
    }

    @Test
    void singleVariantPassThrough() {
        Plan p = serve("r1", VoteMethod.PASS_THROUGH, DEADLINE, "a");
        send(p);
        advance(7);
        send(ok("r1", "a", 3, 0.9f, now() - 2));

        assertEquals(List.of(KeyValue.pair("r1", expected(p, ResultStatus.OK, now(), latency(1, 10, 2, now()))
                .setLabel(3).setConfidence(0.9f).setVotes(List.of(new Vote("a", 3, 0.9f))).build())),
                results.readKeyValuesToList());
        assertEquals(1.0, results(ResultStatus.OK));
        assertEquals(0, metrics.pending());
    }

    @Test
    void aReplannedMemberIsAnsweredOnceByTheVariantItMovedTo() {
        Plan p = serve("rm", VoteMethod.PASS_THROUGH, DEADLINE, "fusion-cnn");
        send(p);
        // the moved-to variant's output overtakes the MOVED notice: it is kept, not dropped
        send(ok("rm", "audio-cnn", 4, 0.7f, now()));
        assertTrue(results.isEmpty());
        ModelOutput notice = failed("rm", "fusion-cnn", OutputStatus.MOVED, "re-planned", now());
        notice.setEscalatedTo("audio-cnn");
        send(notice);
        List<KeyValue<String, InferenceResult>> out = results.readKeyValuesToList();
        assertEquals(1, out.size());
        InferenceResult r = out.get(0).value;
        assertEquals(ResultStatus.OK, r.getStatus());
        assertEquals(4, r.getLabel());
        assertEquals(List.of("audio-cnn"), r.getVariants());
        send(ok("rm", "fusion-cnn", 1, 0.9f, now())); // a stray run of the planned variant: no second result
        assertTrue(results.isEmpty());
        assertEquals(0, metrics.pending());
    }

    @Test
    void threeVariantMajority() {
        Plan p = serve("r2", VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");
        send(p);
        send(ok("r2", "ccc", 4, 0.95f, now()));
        send(ok("r2", "a", 2, 0.6f, now()));
        assertEquals(List.of(), results.readKeyValuesToList());
        advance(5);
        send(ok("r2", "bb", 2, 0.8f, now()));

        assertEquals(List.of(KeyValue.pair("r2", expected(p, ResultStatus.OK, now(), latency(3, 30, 0, now()))
                .setLabel(2).setConfidence((float) ((0.6f + 0.8f) / 2.0))
                .setVotes(List.of(new Vote("a", 2, 0.6f), new Vote("bb", 2, 0.8f), new Vote("ccc", 4, 0.95f)))
                .build())), results.readKeyValuesToList());
    }

    @Test
    void outputBeforePlanIsBufferedUntilThePlanArrives() {
        send(ok("r3", "a", 5, 0.7f, now()));
        advance(20);
        assertEquals(List.of(), results.readKeyValuesToList());
        assertEquals(1, metrics.pending());

        Plan p = serve("r3", VoteMethod.PASS_THROUGH, DEADLINE, "a");
        send(p);
        assertEquals(List.of(KeyValue.pair("r3", expected(p, ResultStatus.OK, now(), latency(1, 10, 20, now()))
                .setLabel(5).setConfidence(0.7f).setVotes(List.of(new Vote("a", 5, 0.7f))).build())),
                results.readKeyValuesToList());
        assertEquals(0, metrics.pending());
        advance(60_000); // the orphan timer it had is gone: no orphan counted
        assertEquals(0.0, counter("sluice.aggregator.orphans"));
    }

    @Test
    void duplicateOutputCountsOnce() {
        Plan p = serve("r4", VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        send(p);
        send(ok("r4", "a", 1, 0.9f, now()));
        send(ok("r4", "a", 1, 0.9f, now()));
        assertEquals(List.of(), results.readKeyValuesToList());
        send(ok("r4", "bb", 6, 0.95f, now()));

        assertEquals(List.of(KeyValue.pair("r4", expected(p, ResultStatus.OK, now(), latency(2, 20, 0, now()))
                .setLabel(6).setConfidence(0.95f)
                .setVotes(List.of(new Vote("a", 1, 0.9f), new Vote("bb", 6, 0.95f))).build())),
                results.readKeyValuesToList());
        assertEquals(1.0, registry.get("sluice.aggregator.duplicates").tag("kind", "output").counter().count());
    }

    @Test
    void lateOutputAfterTheResultIsCountedAndIgnored() {
        send(serve("r5", VoteMethod.PASS_THROUGH, DEADLINE, "a"));
        send(ok("r5", "a", 3, 0.9f, now()));
        assertEquals(1, results.readKeyValuesToList().size());

        send(ok("r5", "a", 3, 0.9f, now()));          // redelivered
        send(ok("r5", "zz", 1, 0.9f, now()));         // stray
        advance(200);                                  // past the deadline
        assertEquals(List.of(), results.readKeyValuesToList());
        assertEquals(2.0, counter("sluice.aggregator.late.outputs"));
        assertEquals(0, metrics.pending());
    }

    @Test
    void partialAtDeadlineWithTwoOfThreeVotes() {
        Plan p = serve("r6", VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc");
        send(p);
        send(ok("r6", "a", 8, 0.7f, now() + 10));
        send(ok("r6", "ccc", 3, 0.9f, now() + 20));  // disagreeing: the outstanding bb could still decide
        advance(99);
        assertEquals(List.of(), results.readKeyValuesToList());
        advance(1); // now == deadline

        assertEquals(List.of(KeyValue.pair("r6", expected(p, ResultStatus.PARTIAL, DEADLINE, latency(3, 30, 80, DEADLINE))
                .setLabel(3).setConfidence(0.9f)
                .setVotes(List.of(new Vote("a", 8, 0.7f), new Vote("ccc", 3, 0.9f)))
                .setReason("deadline passed; missing variants: bb").build())),
                results.readKeyValuesToList());

        send(ok("r6", "bb", 8, 0.9f, now()));        // the straggler
        advance(10);
        assertEquals(List.of(), results.readKeyValuesToList());
        assertEquals(1.0, counter("sluice.aggregator.late.outputs"));
    }

    @Test
    void deadlineExceededWithNoVotes() {
        Plan p = serve("r7", VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        send(p);
        send(failed("r7", "bb", OutputStatus.ERROR, "cuda oom", now()));
        advance(150); // one wall-clock step past the deadline: answered at the punctuation

        assertEquals(List.of(KeyValue.pair("r7", expected(p, ResultStatus.DEADLINE_EXCEEDED, now(), latency(2, 20, 150, now()))
                .setReason("deadline passed; missing variants: a").build())),
                results.readKeyValuesToList());
        assertEquals(1.0, results(ResultStatus.DEADLINE_EXCEEDED));
        assertEquals(0, metrics.pending());
    }

    @Test
    void rejectedAndInvalidPlansAreAnsweredAtOnce() {
        Plan rejected = plan("r8", PlanDecision.REJECT, "queue full", VoteMethod.MAJORITY, DEADLINE);
        Plan invalid = plan("r9", PlanDecision.INVALID, "input shape [1,3] is not [1,1,28,28]", VoteMethod.MAJORITY, DEADLINE);
        send(rejected);
        send(invalid);

        long aggregate = now() - PLANNED;
        assertEquals(List.of(
                KeyValue.pair("r8", expected(rejected, ResultStatus.REJECTED, now(), latency(0, 0, aggregate, now()))
                        .setReason("queue full").build()),
                KeyValue.pair("r9", expected(invalid, ResultStatus.INVALID, now(), latency(0, 0, aggregate, now()))
                        .setReason("input shape [1,3] is not [1,1,28,28]").build())),
                results.readKeyValuesToList());
        assertEquals(0, metrics.pending());
    }

    @Test
    void aPlanCarryingACachedAnswerIsAnsweredAtOnceFlaggedCachedAndOnlyOnce() {
        Plan p = Plan.newBuilder(serve("r20", VoteMethod.PASS_THROUGH, DEADLINE, "vgg"))
                .setCached(new dev.sluice.avro.CachedAnswer(4, 0.97f, List.of("vgg"), 0.9341, T0 - 5_000, "cache")).build();
        send(p);
        long aggregate = now() - PLANNED;
        assertEquals(List.of(KeyValue.pair("r20", expected(p, ResultStatus.OK, now(), latency(0, 0, aggregate, now()))
                .setLabel(4).setConfidence(0.97f).setVotes(List.of()).setCached(true)
                .setReason("answered from the prediction cache: vgg (accuracy 0.9341) answered the same inputs").build())),
                results.readKeyValuesToList());
        assertEquals(1.0, results(ResultStatus.OK));
        assertEquals(0, metrics.pending());
        send(p);
        send(ok("r20", "vgg", 2, 0.5f, now()));
        advance(500);
        assertEquals(List.of(), results.readKeyValuesToList(), "answered: a repeat of the plan or a stray output changes nothing");
    }

    @Test
    void aPlanWithADeadlineDefaultIsAnsweredWithItFlaggedWhenNoMemberAnswered() {
        Plan p = Plan.newBuilder(serve("r22", VoteMethod.PASS_THROUGH, DEADLINE, "vgg-tta"))
                .setDeadlineDefault(new dev.sluice.avro.CachedAnswer(6, 0.7f, List.of("mlp"), 0.8935, T0 - 9_000, "cache")).build();
        send(p);
        advance(150);
        InferenceResult r = results.readValue();
        assertEquals(ResultStatus.OK, r.getStatus(), r.toString());
        assertTrue(r.getDefaultAnswer());
        assertEquals(6, r.getLabel());
        assertEquals(List.of("mlp"), r.getVariants());
        assertEquals("deadline passed; missing variants: vgg-tta; default answer: the prediction cache's answer for the same "
                + "inputs (mlp, accuracy 0.8935)", r.getReason());
        assertEquals(0, metrics.pending());
    }

    @Test
    void aCachedAnswerAfterAnOrphanOutputClearsIt() {
        send(ok("r21", "vgg", 2, 0.5f, now()));
        assertEquals(1, metrics.pending());
        send(Plan.newBuilder(serve("r21", VoteMethod.PASS_THROUGH, DEADLINE, "vgg"))
                .setCached(new dev.sluice.avro.CachedAnswer(4, 0.97f, List.of("vgg"), 0.9341, T0, "cache")).build());
        InferenceResult r = results.readValue();
        assertTrue(r.getCached());
        assertEquals(4, r.getLabel());
        assertEquals(0, metrics.pending());
        advance(61_000);
        assertEquals(0.0, counter("sluice.aggregator.orphans"));
    }

    @Test
    void duplicatePlanAfterTheAnswerProducesNoSecondResult() {
        Plan p = serve("r10", VoteMethod.PASS_THROUGH, DEADLINE, "a");
        send(p);
        send(ok("r10", "a", 2, 0.5f, now()));
        assertEquals(1, results.readKeyValuesToList().size());

        send(p);
        advance(500);
        assertEquals(List.of(), results.readKeyValuesToList());
        assertEquals(1.0, registry.get("sluice.aggregator.duplicates").tag("kind", "plan").counter().count());
        assertEquals(0, metrics.pending());
    }

    @Test
    void duplicatePlanBeforeTheAnswerIsIgnored() {
        Plan p = serve("r11", VoteMethod.MAJORITY, DEADLINE, "a", "bb");
        send(p);
        send(p);
        send(ok("r11", "a", 2, 0.5f, now()));
        send(ok("r11", "bb", 2, 0.5f, now()));
        assertEquals(1, results.readKeyValuesToList().size());
        assertEquals(1.0, registry.get("sluice.aggregator.duplicates").tag("kind", "plan").counter().count());
    }

    @Test
    void expiredPlanIsAnsweredDeadlineExceeded() {
        Plan expired = plan("r20", PlanDecision.EXPIRED, null, VoteMethod.MAJORITY, DEADLINE);
        send(expired);
        List<KeyValue<String, InferenceResult>> out = results.readKeyValuesToList();
        assertEquals(1, out.size());
        assertEquals(ResultStatus.DEADLINE_EXCEEDED, out.get(0).value.getStatus());
        assertTrue(out.get(0).value.getReason().contains("before the selector read the request"), out.get(0).value.getReason());
    }

    private static Plan from(Plan p, String origin) {
        return Plan.newBuilder(p).setRequestOrigin(origin).build();
    }

    @Test
    void aReusedIdAfterTheAnswerIsAnsweredInvalidOnceAndARedeliveryIsNot() {
        Plan first = from(serve("r21", VoteMethod.PASS_THROUGH, DEADLINE, "a"), "sluice.requests-0@1");
        send(first);
        send(ok("r21", "a", 2, 0.5f, now()));
        assertEquals(ResultStatus.OK, results.readKeyValuesToList().get(0).value.getStatus());

        send(first); // a redelivery of the same client record: dropped
        assertEquals(List.of(), results.readKeyValuesToList());

        Plan reused = from(serve("r21", VoteMethod.PASS_THROUGH, DEADLINE, "a"), "sluice.requests-0@9");
        send(reused);
        send(reused); // the duplicate's own redelivery: still one answer
        List<KeyValue<String, InferenceResult>> out = results.readKeyValuesToList();
        assertEquals(1, out.size());
        assertEquals(ResultStatus.INVALID, out.get(0).value.getStatus());
        assertTrue(out.get(0).value.getReason().startsWith("duplicate request id 'r21'"), out.get(0).value.getReason());
        assertTrue(out.get(0).value.getReason().contains("sluice.requests-0@9"), out.get(0).value.getReason());
        assertEquals(0, metrics.pending());
    }

    @Test
    void aReusedIdWhileTheFirstIsPendingIsAnsweredInvalidAfterTheFirstAnswer() {
        Plan first = from(serve("r22", VoteMethod.PASS_THROUGH, DEADLINE, "a"), "sluice.requests-0@1");
        send(first);
        send(from(serve("r22", VoteMethod.PASS_THROUGH, DEADLINE, "a"), "sluice.requests-0@2"));
        assertEquals(List.of(), results.readKeyValuesToList(), "nothing before the first request's answer");
        send(ok("r22", "a", 4, 0.8f, now()));
        List<KeyValue<String, InferenceResult>> out = results.readKeyValuesToList();
        assertEquals(List.of(ResultStatus.OK, ResultStatus.INVALID), out.stream().map(kv -> kv.value.getStatus()).toList());
        assertEquals(4, out.get(0).value.getLabel());
        assertTrue(out.get(1).value.getReason().contains("sluice.requests-0@1"), out.get(1).value.getReason());
    }

    @Test
    void orphanOutputsAreDroppedAfterTheTimeout() {
        send(ok("r12", "a", 2, 0.5f, now()));
        advance(59_990);
        assertEquals(1, metrics.pending());
        advance(10);
        assertEquals(0, metrics.pending());
        assertEquals(1.0, counter("sluice.aggregator.orphans"));
        assertEquals(List.of(), results.readKeyValuesToList());
    }

    @Test
    void answeredIdsAreForgottenAfterTheRetention() {
        send(plan("r13", PlanDecision.REJECT, "no", VoteMethod.MAJORITY, DEADLINE));
        assertEquals(1, results.readKeyValuesToList().size());
        advance(Duration.ofMinutes(10).toMillis() - 10);
        assertEquals(1L, driver.getKeyValueStore(AggregatorTopology.ANSWERED_STORE).approximateNumEntries());
        advance(10);
        assertEquals(0L, driver.getKeyValueStore(AggregatorTopology.ANSWERED_STORE).approximateNumEntries());
        assertEquals(0L, driver.getKeyValueStore(AggregatorTopology.ANSWERED_INDEX_STORE).approximateNumEntries());
    }

    /** Revision {@code rev} of a 2-part request "sp" with {@code missing} parts still to come. */
    private static Plan partPlan(int rev, int missing, String... variants) {
        return Plan.newBuilder(serve("sp", VoteMethod.PASS_THROUGH, DEADLINE, variants)).setRevision(rev)
                .setPartsMissing(missing).setPartCount(2).setFinalOnly(false).build();
    }

    @Test
    void aRequestInPartsGetsAProvisionalThenAFinalRevisionAndNothingMore() {
        send(partPlan(0, 1, "img"));
        send(ok("sp", "img", 3, 0.6f, now()));
        InferenceResult provisional = results.readValue();
        assertEquals(false, provisional.getFinal$());
        assertEquals(0, provisional.getRevision());
        assertEquals(3, provisional.getLabel());

        advance(10);
        send(ok("sp", "fuse", 6, 0.9f, now())); // before its plan: kept, a later revision may name it
        assertEquals(List.of(), results.readValuesToList());
        send(partPlan(1, 0, "fuse"));
        InferenceResult last = results.readValue();
        assertEquals(true, last.getFinal$());
        assertEquals(1, last.getRevision());
        assertEquals(6, last.getLabel());
        assertEquals(1.0, registry.get("sluice.aggregator.revisions").tag("outcome", "corrected").counter().count());

        send(partPlan(1, 0, "fuse")); // redelivered
        send(ok("sp", "img", 3, 0.6f, now()));
        advance(DEADLINE - now() + 1000);
        assertEquals(List.of(), results.readValuesToList(), "exactly one final result");
        assertEquals(0, metrics.pending());
    }

    @Test
    void aPartThatNeverCameLeavesTheProvisionalAnswerFinal() {
        send(partPlan(0, 1, "img"));
        send(ok("sp", "img", 3, 0.6f, now()));
        assertEquals(false, results.readValue().getFinal$());

        advance(DEADLINE - now() + AggregatorConfig.defaults().grace().toMillis() + 200);
        InferenceResult last = results.readValue();
        assertEquals(true, last.getFinal$());
        assertEquals(1, last.getRevision());
        assertEquals(3, last.getLabel());
        assertEquals(ResultStatus.OK, last.getStatus());
        assertEquals(0, metrics.pending());
    }
}
