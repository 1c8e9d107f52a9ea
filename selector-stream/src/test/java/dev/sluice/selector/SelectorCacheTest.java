package dev.sluice.selector;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.catalog;
import static dev.sluice.selector.RequestFixtures.input;
import static dev.sluice.selector.RequestFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.VoteMethod;
import dev.sluice.decision.cache.PredictionCache;
import dev.sluice.decision.load.LoadView;
import dev.sluice.decision.policy.Policies;
import dev.sluice.models.Catalog;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction cache's hook in the selector, on a TopologyTestDriver over the fixtures' catalog
 * (infaas, 40 ms overhead: a 200 ms request with no floor gets linear, .84; a .9 floor cnn, .92).
 * Results are handed to the cache as the results follower would.
 */
class SelectorCacheTest {
    @TempDir
    Path stateDir;

    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Catalog catalog = catalog();
    private final SelectorCache cache = new SelectorCache(new PredictionCache(PredictionCache.Config.DEFAULTS), catalog, clock);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> requests;
    private TestOutputTopic<String, Plan> plans;

    @BeforeEach
    void start() {
        SelectorConfig config = SelectorConfig.defaults();
        SelectorDriver selector = new SelectorDriver("selector-cache-test", stateDir, serdes,
                SelectorTopology.build(serdes, () -> catalog, config, new Policies(config.policies()),
                new LoadView(2_000), clock, new SelectorMetrics(registry), cache), T0);
        driver = selector.driver;
        cache.bind(registry);
        requests = selector.requests;
        plans = selector.plans;
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void send(InferenceRequest r) {
        requests.pipeInput(r.getId(), serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), r));
    }

    private static InferenceResult result(String id, ResultStatus status, int label, List<String> variants) {
        return InferenceResult.newBuilder().setRequestId(id).setStatus(status).setLabel(label).setConfidence(0.8f)
                .setVariants(variants).setLatency(new StageLatency(0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
                .setCreatedAtMs(T0).setDeadlineMs(T0 + 200).setCompletedAtMs(T0 + 30).build();
    }

    /** Tasks sent to {@code variant} since the last call. */
    private int tasks(String variant) {
        return driver.createOutputTopic(Topics.DEFAULT.tasks(variant), new StringDeserializer(), serdes.<InferenceTask>deserializer())
                .readValuesToList().size();
    }

    private double cacheCount(String outcome) {
        return registry.get("sluice.selector.cache").tag("outcome", outcome).functionCounter().count();
    }

    @Test
    void aRepeatedInputIsAnsweredFromTheCacheWithoutATask() {
        send(request("a", 200).build());
        Plan first = plans.readValue();
        assertNull(first.getCached());
        assertEquals(List.of("linear"), first.getVariants());
        assertEquals(1, tasks("linear"));
        cache.onResult(result("a", ResultStatus.OK, 3, List.of("linear")));

        send(request("b", 200).build());
        Plan second = plans.readValue();
        assertEquals(PlanDecision.SERVE, second.getDecision());
        assertEquals(VoteMethod.PASS_THROUGH, second.getVote());
        assertEquals(List.of("linear"), second.getVariants());
        assertEquals(3, second.getCached().getLabel());
        assertEquals(0.84, second.getCached().getAccuracy(), 1e-12);
        assertEquals(0, tasks("linear"), "no task: nothing runs");
        assertEquals(1.0, cacheCount("hit"));
        assertEquals(1.0, cacheCount("fill"));

        send(request("c", 200).setInputs(List.of(input(0.25f))).build());
        assertNull(plans.readValue().getCached(), "another image misses");
    }

    @Test
    void aCachedAnswerServesOnlyRequestsWhoseFloorItMeets() {
        send(request("a", 200).build());
        plans.readValue();
        cache.onResult(result("a", ResultStatus.OK, 3, List.of("linear")));
        send(request("b", 200).setMinAccuracy(0.9).build());
        Plan b = plans.readValue();
        assertNull(b.getCached(), "linear (.84) is under .9");
        assertEquals(List.of("cnn"), b.getVariants());
        assertEquals(1.0, cacheCount("below_floor"));
        // cnn's answer replaces linear's and now serves both floors
        cache.onResult(result("b", ResultStatus.OK, 5, List.of("cnn")));
        send(request("c", 200).setMinAccuracy(0.9).build());
        assertEquals(5, plans.readValue().getCached().getLabel());
        send(request("d", 200).build());
        assertEquals(5, plans.readValue().getCached().getLabel());
    }

    @Test
    void whatTheCacheCannotAnswerFaithfullyBypassesIt() {
        send(request("a", 200).build());
        plans.readValue();
        cache.onResult(result("a", ResultStatus.OK, 3, List.of("linear")));
        send(request("off", 200).setParameters(Map.of(SelectorCache.PARAMETER, "off")).build());
        assertNull(plans.readValue().getCached(), "opted out");
        send(request("pinned", 200).setPolicy("fixed:linear").build());
        assertNull(plans.readValue().getCached(), "a pinned variant is what the client asked for");
        send(request("tier", 200).setTier("gold").build());
        plans.readValue();
        // an opted-out request's answer does not fill either
        cache.onResult(result("off", ResultStatus.OK, 9, List.of("linear")));
        send(request("again", 200).build());
        assertEquals(3, plans.readValue().getCached().getLabel());
        assertEquals(0.0, cacheCount("below_floor"));
    }

    @Test
    void aRequestAskingForADeadlineDefaultCarriesTheBestTheCacheHasOrTheConfiguredOne() {
        send(request("a", 200).build());
        plans.readValue();
        cache.onResult(result("a", ResultStatus.OK, 3, List.of("linear")));
        // a .9 floor: linear's answer cannot serve it, but it can stand in should cnn miss the deadline
        send(request("b", 200).setMinAccuracy(0.9).setParameters(Map.of(SelectorCache.DEADLINE_DEFAULT_PARAMETER, "on")).build());
        Plan b = plans.readValue();
        assertNull(b.getCached());
        assertEquals(List.of("cnn"), b.getVariants());
        assertEquals(3, b.getDeadlineDefault().getLabel());
        assertEquals("cache", b.getDeadlineDefault().getSource());
        assertEquals(List.of("linear"), b.getDeadlineDefault().getVariants());
        send(request("c", 200).setMinAccuracy(0.9).build());
        assertNull(plans.readValue().getDeadlineDefault(), "not asked for");
        // nothing cached for these inputs, and no default configured: none
        send(request("d", 200).setInputs(List.of(input(0.1f))).setParameters(Map.of(SelectorCache.DEADLINE_DEFAULT_PARAMETER, "on")).build());
        assertNull(plans.readValue().getDeadlineDefault());
        SelectorCache configured = new SelectorCache(null, catalog, clock, SelectorCache.parseDefaultLabels("fashion-mnist=0"));
        SelectorCache.Lookup l = configured.lookup(request("e", 200).setParameters(Map.of(SelectorCache.DEADLINE_DEFAULT_PARAMETER,
                "true")).build(), "infaas", T0);
        assertTrue(l.answer().isEmpty());
        assertEquals(0, l.deadlineDefault().getLabel());
        assertEquals("default", l.deadlineDefault().getSource());
        assertEquals(Map.of("a", 1, "b", 2), SelectorCache.parseDefaultLabels("a=1, b=2"));
    }

    @Test
    void failedResultsDoNotFillAndACatalogChangeDropsTheVariantsAnswers() {
        send(request("a", 200).build());
        plans.readValue();
        cache.onResult(result("a", ResultStatus.DEADLINE_EXCEEDED, -1, List.of()));
        send(request("b", 200).build());
        assertNull(plans.readValue().getCached());
        cache.onResult(result("b", ResultStatus.OK, 3, List.of("linear")));
        assertEquals(1, cache.cache().size());
        Catalog reprofiled = catalog.with(dev.sluice.decision.policy.CatalogFixtures.variant("linear", 0.85,
                dev.sluice.decision.policy.CatalogFixtures.profile(1.0, 4.0), dev.sluice.decision.policy.CatalogFixtures.BATCHING));
        cache.onCatalog(reprofiled);
        assertEquals(0, cache.cache().size());
        send(request("c", 200).build());
        assertNull(plans.readValue().getCached());
        assertTrue(SelectorCache.OFF.lookup(request("x", 200).build(), "infaas", T0).answer().isEmpty());
        assertEquals(Duration.ofMinutes(10), PredictionCache.Config.DEFAULTS.ttl());
    }
}
