package dev.sluice.aggregator;

import static dev.sluice.aggregator.Fixtures.T0;
import static dev.sluice.aggregator.Fixtures.ok;
import static dev.sluice.aggregator.Fixtures.plan;
import static dev.sluice.aggregator.Fixtures.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.VoteMethod;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Results of a routed tenant's requests also go to its own topic; everyone's still go to sluice.results. */
class TenantResultsTest {
    @TempDir
    Path stateDir;

    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Plan> plans;
    private TestInputTopic<String, ModelOutput> partials;

    @BeforeEach
    void start() {
        AggregatorConfig cfg = AggregatorConfig.defaults().withTenantResults(Set.of("acme", "initech"));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-tenant-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(AggregatorTopology.build(serdes, cfg, new MutableClock(Instant.ofEpochMilli(T0)),
                new AggregatorMetrics(new SimpleMeterRegistry())), props, Instant.ofEpochMilli(T0));
        plans = driver.createInputTopic(Topics.DEFAULT.plans(), Serdes.String().serializer(), serdes.serializer());
        partials = driver.createInputTopic(Topics.DEFAULT.partials(), Serdes.String().serializer(), serdes.serializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private TestOutputTopic<String, InferenceResult> out(String topic) {
        return driver.createOutputTopic(topic, Serdes.String().deserializer(), serdes.deserializer());
    }

    private static List<String> ids(TestOutputTopic<String, InferenceResult> t) {
        return t.readValuesToList().stream().map(InferenceResult::getRequestId).toList();
    }

    @Test
    void eachRoutedTenantGetsItsOwnAnswersOnItsOwnTopic() {
        Plan a = Plan.newBuilder(serve("a-1", VoteMethod.PASS_THROUGH, T0 + 1_000, "linear")).setTenant("acme").build();
        plans.pipeInput(a.getRequestId(), a);
        partials.pipeInput("a-1", ok("a-1", "linear", 3, 0.9f, T0 + 10));
        Plan i = Plan.newBuilder(plan("i-1", PlanDecision.REJECT, "tenant 'initech' is over its quota", VoteMethod.PASS_THROUGH,
                T0 + 1_000)).setTenant("initech").build();
        plans.pipeInput(i.getRequestId(), i);
        Plan g = Plan.newBuilder(plan("g-1", PlanDecision.INVALID, "bad", VoteMethod.PASS_THROUGH, T0 + 1_000))
                .setTenant("globex").build();
        plans.pipeInput(g.getRequestId(), g);
        Plan old = plan("o-1", PlanDecision.INVALID, "from an old selector", VoteMethod.PASS_THROUGH, T0 + 1_000);
        plans.pipeInput(old.getRequestId(), old);

        assertEquals(List.of("a-1", "i-1", "g-1", "o-1"), ids(out(Topics.DEFAULT.results())), "everything on sluice.results");
        var acme = out(Topics.DEFAULT.tenantResults("acme")).readValuesToList();
        assertEquals(1, acme.size());
        assertEquals("a-1", acme.get(0).getRequestId());
        assertEquals(ResultStatus.OK, acme.get(0).getStatus());
        assertEquals(3, acme.get(0).getLabel());
        var initech = out(Topics.DEFAULT.tenantResults("initech")).readValuesToList();
        assertEquals(1, initech.size());
        assertEquals(ResultStatus.REJECTED, initech.get(0).getStatus());
        assertTrue(initech.get(0).getReason().contains("over its quota"));
        assertTrue(driver.producedTopicNames().stream().noneMatch(t -> t.startsWith(Topics.DEFAULT.results() + ".globex")),
                "an unrouted tenant has no topic of its own");
    }

    @Test
    void tenantNamesThatCouldOverlapAreRefused() {
        for (String bad : List.of("json", "a.b", "a-b", "", "Acme", "x".repeat(49))) {
            assertThrows(IllegalArgumentException.class, () -> AggregatorConfig.defaults().withTenantResults(Set.of(bad)), bad);
        }
    }
}
