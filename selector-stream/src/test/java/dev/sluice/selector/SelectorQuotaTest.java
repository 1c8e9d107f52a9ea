package dev.sluice.selector;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.catalog;
import static dev.sluice.selector.RequestFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.decision.load.LoadView;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-tenant rate quotas at the selector: over its rate a tenant's request is REJECTED with the reason; others go on. */
class SelectorQuotaTest {
    @TempDir
    Path stateDir;

    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> requests;
    private TestOutputTopic<String, Plan> plans;

    @BeforeEach
    void start() {
        SelectorConfig config = SelectorConfig.defaults().withTenantQuotas(Map.of("acme", 2.0));
        SelectorDriver selector = new SelectorDriver("selector-quota-test", stateDir, serdes,
                SelectorTopology.build(serdes, catalog(), config, new LoadView(2_000), clock,
                new SelectorMetrics(registry)), T0);
        driver = selector.driver;
        requests = selector.requests;
        plans = selector.plans;
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private Plan send(String id, String tenant) {
        InferenceRequest r = request(id, 60_000).setTenant(tenant).build();
        requests.pipeInput(r.getId(), serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), r));
        return plans.readValue();
    }

    private double rejected(String tenant) {
        var c = registry.find("sluice.selector.quota.rejected").tag("tenant", tenant).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void overItsRateATenantIsRejectedWithTheReasonAndAnotherTenantIsServed() {
        assertEquals(PlanDecision.SERVE, send("a1", "acme").getDecision());
        assertEquals(PlanDecision.SERVE, send("a2", "acme").getDecision());
        Plan third = send("a3", "acme");
        assertEquals(PlanDecision.REJECT, third.getDecision());
        assertEquals("tenant 'acme' is over its quota of 2 requests/s (next request admitted in 500 ms)", third.getReason());
        assertEquals("acme", third.getTenant());
        assertEquals(1.0, rejected("acme"));
        for (int i = 0; i < 20; i++) {
            Plan other = send("g" + i, "globex");
            assertEquals(PlanDecision.SERVE, other.getDecision(), "a tenant without a quota is unlimited");
            assertEquals("globex", other.getTenant(), "the plan carries the tenant to the aggregator");
        }
        assertEquals(0.0, rejected("globex"));
        clock.advance(Duration.ofMillis(500));
        assertEquals(PlanDecision.SERVE, send("a4", "acme").getDecision(), "a token back after 500 ms at 2/s");
        assertEquals(PlanDecision.REJECT, send("a5", "acme").getDecision());
        assertEquals(2.0, rejected("acme"));
    }

    @Test
    void aRequestOnATenantsOwnTopicIsThatTenantsWhateverItsFieldSays() {
        TestInputTopic<String, byte[]> acmeTopic = driver.createInputTopic(Topics.DEFAULT.tenantRequests("acme"),
                new StringSerializer(), new ByteArraySerializer());
        for (int i = 0; i < 3; i++) { // globex's name on acme's topic: acme's request, acme's quota (2/s)
            InferenceRequest r = request("s" + i, 60_000).setTenant("globex").build();
            acmeTopic.pipeInput(r.getId(), serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.tenantRequests("acme"), r));
            Plan p = plans.readValue();
            assertEquals("acme", p.getTenant());
            assertEquals(i < 2 ? PlanDecision.SERVE : PlanDecision.REJECT, p.getDecision(), "request " + i);
        }
        assertEquals(1.0, rejected("acme"));
        assertEquals(PlanDecision.SERVE, send("g1", "globex").getDecision(), "globex's own quota is untouched (unlimited)");
    }

    @Test
    void anInvalidRequestIsAnsweredInvalidWithoutSpendingTheQuota() {
        for (int i = 0; i < 5; i++) {
            InferenceRequest bad = request("bad" + i, 60_000).setTenant("acme").setTask("no-such-task").build();
            requests.pipeInput(bad.getId(), serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), bad));
            assertEquals(PlanDecision.INVALID, plans.readValue().getDecision());
        }
        List<PlanDecision> next = List.of(send("ok1", "acme").getDecision(), send("ok2", "acme").getDecision());
        assertEquals(List.of(PlanDecision.SERVE, PlanDecision.SERVE), next);
        assertTrue(plans.isEmpty());
    }
}
