package dev.sluice.selector;

import dev.sluice.decision.load.LoadView;
import dev.sluice.decision.policy.CatalogFixtures;
import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.catalog;
import static dev.sluice.selector.RequestFixtures.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.VoteMethod;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The selector end to end on a TopologyTestDriver, with the default config (infaas, 40 ms
 * overhead): idle estimates are linear 43, mlp 45, cnn 52 ms.
 */
class SelectorTopologyTest {
    @TempDir
    Path stateDir;

    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LoadView load = new LoadView(2_000);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> requests;
    private TestOutputTopic<String, Plan> plans;
    private TestOutputTopic<String, byte[]> dlq;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "selector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(SelectorTopology.build(serdes, catalog(), SelectorConfig.defaults(), load, clock,
                new SelectorMetrics(registry)), props, Instant.ofEpochMilli(T0));
        requests = driver.createInputTopic(Topics.DEFAULT.requests(), new StringSerializer(), new ByteArraySerializer());
        plans = driver.createOutputTopic(Topics.DEFAULT.plans(), new StringDeserializer(), serdes.<Plan>deserializer());
        dlq = driver.createOutputTopic(Topics.DEFAULT.dlq(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private TestOutputTopic<String, InferenceTask> tasks(String variant) {
        return driver.createOutputTopic(Topics.DEFAULT.tasks(variant), new StringDeserializer(),
                serdes.<InferenceTask>deserializer());
    }

    private void send(InferenceRequest r) {
        requests.pipeInput(r.getId(), serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), r));
    }

    private Set<String> taskTopics() {
        return driver.producedTopicNames().stream().filter(t -> t.startsWith(Topics.DEFAULT.tasksPrefix()))
                .collect(Collectors.toSet());
    }

    private static String header(Headers h, String key) {
        Header last = h.lastHeader(key);
        assertNotNull(last, "missing header " + key);
        return new String(last.value(), StandardCharsets.UTF_8);
    }

    private double counter(String outcome, String policy, String variant) {
        var c = registry.find("sluice.selector.decisions").tag("outcome", outcome).tag("policy", policy)
                .tag("variant", variant).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void validRequestIsServedWithOnePlanAndOneTask() {
        InferenceRequest r = request("req-1", 200).setTraceparent("00-abc-def-01").build();
        send(r);

        var planRecord = plans.readRecord();
        assertEquals("req-1", planRecord.key());
        Plan plan = planRecord.value();
        assertEquals(PlanDecision.SERVE, plan.getDecision());
        assertEquals(java.util.List.of("linear"), plan.getVariants());
        assertEquals(VoteMethod.PASS_THROUGH, plan.getVote());
        assertEquals("infaas", plan.getPolicy());
        assertNull(plan.getReason());
        // the prediction without the Kafka hops: linear's 2 ms batching delay and 1 ms p99 at batch 1, idle
        assertEquals(3.0, plan.getPredictedMs(), 1e-9);
        assertEquals(T0 - 5, plan.getCreatedAtMs());
        assertEquals(T0 + 200, plan.getDeadlineMs());
        assertEquals(T0, plan.getReceivedAtMs());
        assertEquals(T0, plan.getPlannedAtMs());
        assertEquals("00-abc-def-01", plan.getTraceparent());
        assertTrue(plans.isEmpty(), "exactly one plan");

        TestOutputTopic<String, InferenceTask> linear = tasks("linear");
        TestRecord<String, InferenceTask> taskRecord = linear.readRecord();
        assertEquals("req-1", taskRecord.key());
        InferenceTask task = taskRecord.value();
        assertEquals("req-1", task.getRequestId());
        assertEquals("linear", task.getVariant());
        assertEquals("fashion-mnist", task.getTask());
        assertEquals(r.getInputs().get(0), task.getInput());
        assertEquals(T0 + 200, task.getDeadlineMs());
        assertEquals(T0, task.getEnqueuedAtMs());
        assertEquals("00-abc-def-01", task.getTraceparent());
        assertTrue(linear.isEmpty(), "exactly one task");
        assertEquals(Set.of(Topics.DEFAULT.tasks("linear")), taskTopics());
        assertTrue(dlq.isEmpty());

        assertEquals(1, load.snapshot(T0).of("linear").totalQueue(), "the dispatch counts as load");
        assertEquals(1.0, counter("serve", "infaas", "linear"));
    }

    @Test
    void accuracyFloorPicksACostlierVariant() {
        send(request("req-2", 200).setMinAccuracy(0.9).build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.SERVE, plan.getDecision());
        assertEquals(java.util.List.of("cnn"), plan.getVariants());
        assertEquals("req-2", tasks("cnn").readValue().getRequestId());
        assertEquals(Set.of(Topics.DEFAULT.tasks("cnn")), taskTopics());
    }

    @Test
    void invalidRequestGetsAnInvalidPlanAndNoTask() {
        float[] px = CatalogFixtures.image(0.5f);
        px[3] = Float.NaN;
        send(request("bad-1", 200).setInputs(java.util.List.of(
                dev.sluice.schemas.Tensors.fp32("input", new long[] {1, 1, 28, 28}, px))).build());

        var record = plans.readRecord();
        assertEquals("bad-1", record.key());
        Plan plan = record.value();
        assertEquals(PlanDecision.INVALID, plan.getDecision());
        assertTrue(plan.getReason().contains("NaN or Infinity at element 3"), plan.getReason());
        assertEquals(-1.0, plan.getPredictedMs(), "nothing predicted for what is not served");
        assertTrue(plan.getVariants().isEmpty());
        assertTrue(plans.isEmpty());
        assertTrue(taskTopics().isEmpty(), "no task for an invalid request");
        assertTrue(dlq.isEmpty());
        assertEquals(1.0, counter("invalid", "infaas", ""));
    }

    @Test
    void aDeadlineAlreadyPastWhenTheClientCreatedTheRequestIsInvalid() {
        send(request("late-0", 200).setDeadlineMs(T0 - 1).build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.INVALID, plan.getDecision());
        assertTrue(plan.getReason().startsWith("deadline already past when the client sent the request"), plan.getReason());
        assertTrue(taskTopics().isEmpty());
    }

    @Test
    void aRequestThatExpiredInTheBacklogIsExpiredNotInvalid() {
        clock.advance(java.time.Duration.ofMillis(500)); // created at T0, due T0 + 200, read at T0 + 500
        send(request("late-1", 200).build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.EXPIRED, plan.getDecision());
        assertTrue(plan.getReason().startsWith("deadline passed while queued in sluice.requests before the selector"),
                plan.getReason());
        assertTrue(plan.getReason().contains("(300 ms late)"), plan.getReason());
        assertTrue(taskTopics().isEmpty());
        assertEquals(1.0, counter("expired", "infaas", ""));
    }

    @Test
    void tooStrictAccuracyFloorIsRejected() {
        send(request("strict-1", 200).setMinAccuracy(0.95).build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.REJECT, plan.getDecision());
        assertTrue(plan.getReason().contains("reaches min_accuracy 0.9500"), plan.getReason());
        assertTrue(plan.getVariants().isEmpty());
        assertTrue(taskTopics().isEmpty());
        assertEquals(1.0, counter("reject", "infaas", ""));
    }

    @Test
    void tooTightDeadlineIsRejected() {
        send(request("tight-1", 42).build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.REJECT, plan.getDecision());
        assertTrue(plan.getReason().contains("finishes in time"), plan.getReason());
        assertTrue(taskTopics().isEmpty());
    }

    @Test
    void garbageBytesGoToTheDeadLetterTopicUntouched() {
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        requests.pipeInput("junk-1", garbage);

        TestRecord<String, byte[]> dead = dlq.readRecord();
        assertEquals("junk-1", dead.key());
        assertArrayEquals(garbage, dead.value());
        assertTrue(header(dead.headers(), Topics.DLQ_REASON_HEADER).startsWith("undecodable request"),
                header(dead.headers(), Topics.DLQ_REASON_HEADER));
        assertEquals(Topics.DEFAULT.requests(), header(dead.headers(), Topics.DLQ_SOURCE_TOPIC_HEADER));
        assertEquals("0", header(dead.headers(), Topics.DLQ_SOURCE_PARTITION_HEADER));
        assertEquals("0", header(dead.headers(), Topics.DLQ_SOURCE_OFFSET_HEADER));
        assertTrue(dlq.isEmpty());
        assertTrue(plans.isEmpty(), "no plan for an undecodable request");
        assertTrue(taskTopics().isEmpty());
        assertEquals(1.0, registry.get("sluice.selector.dead.letters").counter().count());
    }

    @Test
    void deadLetterOffsetIsTheOffsetOfTheBadRecord() {
        send(request("ok-1", 200).build());
        requests.pipeInput("junk-2", new byte[0]);
        TestRecord<String, byte[]> dead = dlq.readRecord();
        assertEquals("junk-2", dead.key());
        assertEquals("1", header(dead.headers(), Topics.DLQ_SOURCE_OFFSET_HEADER));
        assertTrue(header(dead.headers(), Topics.DLQ_REASON_HEADER).contains("empty record value"));
        assertEquals(1, plans.readValuesToList().size(), "only the good request is planned");
    }

    @Test
    void thePolicysVoteMethodTravelsInThePlanElseSeveralVariantsVoteByMajority() {
        var withEnsembles = catalog().withEnsembles(java.util.List.of(
                new dev.sluice.models.Ensemble(java.util.List.of("mlp", "cnn"), "PROBABILITY_AVERAGE", 0.95, 0.92)));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "selector-test-votes");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("votes").toString());
        try (TopologyTestDriver d = new TopologyTestDriver(SelectorTopology.build(serdes, withEnsembles, SelectorConfig.defaults(),
                new LoadView(2_000), clock, new SelectorMetrics(new SimpleMeterRegistry())), props, Instant.ofEpochMilli(T0))) {
            TestInputTopic<String, byte[]> in = d.createInputTopic(Topics.DEFAULT.requests(), new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, Plan> out = d.createOutputTopic(Topics.DEFAULT.plans(), new StringDeserializer(), serdes.<Plan>deserializer());
            for (InferenceRequest r : java.util.List.of(
                    request("ens-1", 10_000).setPolicy("cocktail").setMinAccuracy(0.94).build(),
                    request("ens-2", 10_000).setPolicy("tiers").setTier("ensemble-high").build(),
                    request("ens-3", 10_000).setPolicy("cocktail").setMinAccuracy(0.9).build())) {
                in.pipeInput(r.getId(), serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), r));
            }
            Plan cocktail = out.readValue();
            assertEquals(java.util.List.of("mlp", "cnn"), cocktail.getVariants());
            assertEquals(VoteMethod.PROBABILITY_AVERAGE, cocktail.getVote());
            assertEquals("cocktail", cocktail.getPolicy());
            Plan tiers = out.readValue();
            assertEquals(java.util.List.of("cnn", "mlp"), tiers.getVariants());
            assertEquals(VoteMethod.MAJORITY, tiers.getVote());
            Plan single = out.readValue();
            assertEquals(java.util.List.of("cnn"), single.getVariants());
            assertEquals(VoteMethod.PASS_THROUGH, single.getVote());
        }
    }

    @Test
    void perRequestFixedHighPicksTheMostAccurateVariant() {
        send(request("hi-1", 10_000).setPolicy("fixed-high").build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.SERVE, plan.getDecision());
        assertEquals(java.util.List.of("cnn"), plan.getVariants());
        assertEquals("fixed-high", plan.getPolicy());
        assertEquals("hi-1", tasks("cnn").readValue().getRequestId());
        assertEquals(Set.of(Topics.DEFAULT.tasks("cnn")), taskTopics());
    }

    @Test
    void aRequestAskingForADefaultAnswerAlsoRunsTheCheapestVariantFlaggedInItsPlan() {
        send(request("def-1", 10_000).setPolicy("fixed:cnn").setParameters(java.util.Map.of("deadline_default", "on"))
                .setOutputs(java.util.List.of("label")).build());
        Plan plan = plans.readValue();
        assertEquals(java.util.List.of("cnn"), plan.getVariants(), "the fallback is no member");
        assertEquals("linear", plan.getFallbackRun().getVariant());
        assertEquals(0.84, plan.getFallbackRun().getAccuracy());
        assertEquals(java.util.List.of("label"), plan.getOutputs(), "the requested outputs travel to the result");
        assertEquals("def-1", tasks("cnn").readValue().getRequestId());
        InferenceTask fallback = tasks("linear").readValue();
        assertEquals("linear", fallback.getVariant());
        assertEquals(T0 + 10_000, fallback.getDeadlineMs());
        assertEquals(Set.of(Topics.DEFAULT.tasks("cnn"), Topics.DEFAULT.tasks("linear")), taskTopics());
        // not opted in: no fallback; the cheapest as a member: none needed
        send(request("def-2", 10_000).setPolicy("fixed:cnn").build());
        assertNull(plans.readValue().getFallbackRun());
        send(request("def-3", 10_000).setPolicy("fixed:linear").setParameters(java.util.Map.of("deadline_default", "on")).build());
        assertNull(plans.readValue().getFallbackRun());
    }

    @Test
    void anUnknownRequestedOutputIsInvalidNamingTheTasksOutputs() {
        send(request("out-1", 10_000).setOutputs(java.util.List.of("logits")).build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.INVALID, plan.getDecision());
        assertEquals("unknown output 'logits' (outputs: label, confidence, probabilities) for model 'fashion-mnist'",
                plan.getReason());
        assertTrue(taskTopics().isEmpty());
    }

    @Test
    void aCascadeDispatchesItsFirstStageOnlyCarryingTheRestAndTheThreshold() {
        send(request("cas-1", 10_000).setPolicy("cascade:linear>cnn@0.9").build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.SERVE, plan.getDecision());
        assertEquals(java.util.List.of("linear", "cnn"), plan.getVariants());
        assertEquals(VoteMethod.CASCADE, plan.getVote());
        InferenceTask first = tasks("linear").readValue();
        assertEquals("linear", first.getVariant());
        assertEquals(java.util.List.of("cnn"), first.getEscalateTo());
        assertEquals(0.9f, first.getEscalateBelow());
        assertEquals(Set.of(Topics.DEFAULT.tasks("linear")), taskTopics());
    }

    @Test
    void selfConsistencyViewsGoToTheirVariantsTopicAsMembersOfTheirOwn() {
        send(request("sc-1", 10_000).setPolicy("self-consistency:mlp:3").build());
        Plan plan = plans.readValue();
        assertEquals(java.util.List.of("mlp#view0", "mlp#view1", "mlp#view2"), plan.getVariants());
        assertEquals(VoteMethod.SELF_CONSISTENCY, plan.getVote());
        var ts = tasks("mlp").readValuesToList();
        assertEquals(java.util.List.of("mlp#view0", "mlp#view1", "mlp#view2"),
                ts.stream().map(InferenceTask::getVariant).toList());
        assertEquals(Set.of(Topics.DEFAULT.tasks("mlp")), taskTopics());
    }

    @Test
    void aMalformedPinnedPolicyIsInvalidWithTheReason() {
        send(request("bad-1", 10_000).setPolicy("cascade:linear>cnn").build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.INVALID, plan.getDecision());
        assertTrue(plan.getReason().contains("bad policy 'cascade:linear>cnn'"), plan.getReason());
        send(request("bad-2", 10_000).setPolicy("fixed:nosuch").build());
        Plan unknownVariant = plans.readValue();
        assertEquals(PlanDecision.REJECT, unknownVariant.getDecision());
        assertTrue(unknownVariant.getReason().contains("'nosuch'"), unknownVariant.getReason());
        assertTrue(taskTopics().isEmpty());
    }

    @Test
    void unknownPolicyOverrideIsInvalid() {
        send(request("pol-1", 200).setPolicy("random").build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.INVALID, plan.getDecision());
        assertTrue(plan.getReason().contains("unknown policy 'random'"), plan.getReason());
        assertTrue(taskTopics().isEmpty());
    }

    @Test
    void unknownDefaultPolicyFailsAtBuild() {
        assertThrows(IllegalArgumentException.class, () -> SelectorTopology.build(serdes, catalog(),
                SelectorConfig.defaults().withPolicy("random"), load, clock, new SelectorMetrics(registry)));
    }
}
