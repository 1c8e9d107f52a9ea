package dev.sluice.aggregator;

import static dev.sluice.aggregator.Fixtures.T0;
import static dev.sluice.aggregator.Fixtures.ok;
import static dev.sluice.aggregator.Fixtures.probs;
import static dev.sluice.aggregator.Fixtures.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.Plan;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.Vote;
import dev.sluice.avro.VoteMethod;
import dev.sluice.decision.VariantViews;
import dev.sluice.decision.vote.VariantWeights;
import dev.sluice.decision.vote.Voters;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

/** Vote methods, early answers and cancellation hints through the whole aggregator topology. */
class EnsembleVotingTopologyTest {
    private static final long DEADLINE = T0 + 100;

    @TempDir
    Path stateDir;

    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(T0));
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AggregatorMetrics metrics = new AggregatorMetrics(registry);
    /** heavy weighs ln(9*99) = 6.8, each light one ln(9) = 2.2. */
    private final Voters voters = new Voters(
            VariantWeights.fromAccuracy(Map.of("heavy", 0.99, "light1", 0.5, "light2", 0.5), 10));
    private TopologyTestDriver driver;
    private TestInputTopic<String, Plan> plans;
    private TestInputTopic<String, ModelOutput> partials;
    private TestOutputTopic<String, InferenceResult> results;
    private TestOutputTopic<String, String> cancellations;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-voting-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        AggregatorConfig cfg = AggregatorConfig.defaults().withCancellations(true);
        driver = new TopologyTestDriver(AggregatorTopology.build(serdes, cfg, clock, metrics, voters), props,
                Instant.ofEpochMilli(T0));
        plans = driver.createInputTopic(Topics.DEFAULT.plans(), Serdes.String().serializer(), serdes.serializer());
        partials = driver.createInputTopic(Topics.DEFAULT.partials(), Serdes.String().serializer(), serdes.serializer());
        results = driver.createOutputTopic(Topics.DEFAULT.results(), Serdes.String().deserializer(), serdes.deserializer());
        cancellations = driver.createOutputTopic(Topics.DEFAULT.cancellations(),
                Serdes.String().deserializer(), Serdes.String().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

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

    private double counter(String name) {
        return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void theMembersAnswerCancelsAFallbackRunThatHasNotReported() {
        Plan withFallback = Plan.newBuilder(serve("f1", VoteMethod.PASS_THROUGH, DEADLINE, "vgg"))
                .setFallbackRun(new dev.sluice.avro.FallbackRun("linear", 0.8454)).build();
        send(withFallback);
        send(ok("f1", "vgg", 3, 0.9f, now()));
        InferenceResult r = results.readKeyValuesToList().get(0).value;
        assertEquals(ResultStatus.OK, r.getStatus());
        assertFalse(r.getDefaultAnswer());
        assertEquals(List.of(KeyValue.pair("f1", "f1")), cancellations.readKeyValuesToList(),
                "the queued fallback task is no longer wanted");

        // the fallback reported first: nothing left to cancel
        send(Plan.newBuilder(withFallback).setRequestId("f2").build());
        send(ok("f2", "linear", 3, 0.7f, now()));
        send(ok("f2", "vgg", 3, 0.9f, now()));
        assertEquals(1, results.readKeyValuesToList().size());
        assertTrue(cancellations.isEmpty());

        // no fallback run: nothing to cancel either
        send(serve("f3", VoteMethod.PASS_THROUGH, DEADLINE, "vgg"));
        send(ok("f3", "vgg", 3, 0.9f, now()));
        assertEquals(1, results.readKeyValuesToList().size());
        assertTrue(cancellations.isEmpty());
    }

    @Test
    void majorityOfThreeIsAnsweredAfterTwoAgreeingOutputs() {
        send(serve("r1", VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc"));
        send(ok("r1", "a", 6, 0.8f, now()));
        assertTrue(results.isEmpty());
        advance(3);
        send(ok("r1", "ccc", 6, 0.6f, now()));

        List<KeyValue<String, InferenceResult>> out = results.readKeyValuesToList();
        assertEquals(1, out.size());
        InferenceResult r = out.get(0).value;
        assertEquals(ResultStatus.OK, r.getStatus());
        assertEquals(6, r.getLabel());
        assertEquals(List.of(new Vote("a", 6, 0.8f), new Vote("ccc", 6, 0.6f)), r.getVotes());
        assertEquals(List.of("a", "bb", "ccc"), r.getVariants());
        assertEquals("decided early; 1 of 3 members outstanding", r.getReason());
        assertEquals(List.of(KeyValue.pair("r1", "r1")), cancellations.readKeyValuesToList());
        assertEquals(1.0, counter("sluice.aggregator.early.decisions"));
        assertEquals(1.0, counter("sluice.aggregator.outstanding.members"));
        assertEquals(0, metrics.pending());

        send(ok("r1", "bb", 2, 0.99f, now()));  // the straggler: late, ignored
        advance(200);                            // past the deadline: no PARTIAL either
        assertTrue(results.isEmpty());
        assertTrue(cancellations.isEmpty());
        assertEquals(1.0, counter("sluice.aggregator.late.outputs"));
    }

    @Test
    void disagreeingOutputsWaitForTheThirdAndSendNoCancellation() {
        send(serve("r2", VoteMethod.MAJORITY, DEADLINE, "a", "bb", "ccc"));
        send(ok("r2", "a", 6, 0.8f, now()));
        send(ok("r2", "bb", 1, 0.6f, now()));
        assertTrue(results.isEmpty());
        send(ok("r2", "ccc", 1, 0.7f, now()));

        InferenceResult r = results.readValue();
        assertEquals(1, r.getLabel());
        assertEquals(3, r.getVotes().size());
        assertEquals(null, r.getReason());
        assertTrue(cancellations.isEmpty());
        assertEquals(0.0, counter("sluice.aggregator.early.decisions"));
    }

    @Test
    void probabilityAveragingOverThreeMembers() {
        send(serve("r3", VoteMethod.PROBABILITY_AVERAGE, DEADLINE, "a", "bb", "ccc"));
        send(probs("r3", "a", now(), 0.25f, 0.40f, 0.35f));
        send(probs("r3", "bb", now(), 0.25f, 0.40f, 0.35f));
        assertTrue(results.isEmpty()); // lead 0.1 is no match for one outstanding member
        send(probs("r3", "ccc", now(), 0.05f, 0.05f, 0.90f));

        List<InferenceResult> out = results.readValuesToList();
        assertEquals(1, out.size());
        assertEquals(2, out.get(0).getLabel()); // a majority would have said 1
        assertEquals((0.35f + 0.35f + 0.90f) / 3, out.get(0).getConfidence(), 1e-6f);
        assertEquals(List.of(new Vote("a", 1, 0.40f), new Vote("bb", 1, 0.40f), new Vote("ccc", 2, 0.90f)),
                out.get(0).getVotes());
        assertTrue(cancellations.isEmpty());
    }

    @Test
    void weightedMajorityLetsAHeavyMemberBeatTwoLightOnes() {
        send(serve("r4", VoteMethod.WEIGHTED_MAJORITY, DEADLINE, "heavy", "light1", "light2"));
        send(ok("r4", "light1", 2, 0.9f, now()));
        send(ok("r4", "light2", 2, 0.9f, now()));
        assertTrue(results.isEmpty()); // 4.4 of light weight cannot outvote the heavy member still running
        send(ok("r4", "heavy", 5, 0.6f, now()));

        List<InferenceResult> out = results.readValuesToList();
        assertEquals(1, out.size());
        assertEquals(5, out.get(0).getLabel());
        assertEquals(3, out.get(0).getVotes().size());
    }

    @Test
    void weightedMajorityAnswersOnTheHeavyMemberAlone() {
        send(serve("r5", VoteMethod.WEIGHTED_MAJORITY, DEADLINE, "heavy", "light1", "light2"));
        send(ok("r5", "heavy", 5, 0.6f, now()));

        InferenceResult r = results.readValue();
        assertEquals(5, r.getLabel());
        assertEquals(List.of(new Vote("heavy", 5, 0.6f)), r.getVotes());
        assertEquals("decided early; 2 of 3 members outstanding", r.getReason());
        assertEquals(2.0, counter("sluice.aggregator.outstanding.members"));
        assertEquals(List.of(KeyValue.pair("r5", "r5")), cancellations.readKeyValuesToList());
        send(ok("r5", "light1", 2, 0.9f, now()));
        send(ok("r5", "light2", 2, 0.9f, now()));
        assertTrue(results.isEmpty());
        assertEquals(2.0, counter("sluice.aggregator.late.outputs"));
    }

    @Test
    void selfConsistencyStopsAfterThreeUnanimousViewsOfSix() {
        String[] views = new String[6];
        for (int i = 0; i < views.length; i++) {
            views[i] = VariantViews.view("vgg", i);
        }
        send(serve("r6", VoteMethod.SELF_CONSISTENCY, DEADLINE, views));
        send(ok("r6", views[0], 3, 0.7f, now()));
        send(ok("r6", views[1], 3, 0.6f, now()));
        assertTrue(results.isEmpty());
        send(ok("r6", views[2], 3, 0.8f, now()));

        InferenceResult r = results.readValue();
        assertEquals(3, r.getLabel());
        assertEquals(1.0f, r.getConfidence());
        assertEquals(3, r.getVotes().size());
        assertEquals(3.0, counter("sluice.aggregator.outstanding.members"));
        assertTrue(results.isEmpty());
    }

    @Test
    void theCancellationSinkIsOnByDefaultAndCanBeTurnedOff() {
        String on = AggregatorTopology.build(serdes, AggregatorConfig.defaults(), clock, metrics).describe().toString();
        assertTrue(on.contains(Topics.DEFAULT.cancellations()), on);
        String off = AggregatorTopology.build(serdes, AggregatorConfig.defaults().withCancellations(false), clock, metrics)
                .describe().toString();
        assertFalse(off.contains(Topics.DEFAULT.cancellations()), off);
        assertTrue(off.contains(Topics.DEFAULT.results()));
    }
}
