package dev.sluice.selector;

import dev.sluice.decision.load.LoadView;
import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.selector.RequestFixtures.audio;
import static dev.sluice.selector.RequestFixtures.input;
import static dev.sluice.decision.policy.CatalogFixtures.multimodalCatalog;
import static dev.sluice.selector.RequestFixtures.request;
import static dev.sluice.selector.RequestFixtures.spokenPart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.Tensor;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that carry several modalities, in one record or in parts, on the selector's topology
 * (infaas, the default): the catalog's "spoken" task has img (image, 0.90), aud (audio, 0.70)
 * and fuse (image + audio, 0.95).
 */
class SelectorPartsTest {
    @TempDir
    Path stateDir;

    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SelectorDriver selector;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> requests;
    private TestOutputTopic<String, Plan> plans;

    @BeforeEach
    void start() {
        selector = new SelectorDriver("selector-parts-test", stateDir, serdes, SelectorTopology.build(serdes,
                multimodalCatalog(), SelectorConfig.defaults(), new LoadView(2_000), clock, new SelectorMetrics(registry)), T0);
        driver = selector.driver;
        requests = selector.requests;
        plans = selector.plans;
    }

    @AfterEach
    void stop() {
        selector.close();
    }

    private TestOutputTopic<String, InferenceTask> tasks(String variant) {
        return selector.tasks(variant);
    }

    private void send(InferenceRequest r) {
        requests.pipeInput(r.getId(), serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), r));
    }

    private double parts(String outcome) {
        var c = registry.find("sluice.selector.parts").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private KeyValueStore<String, ?> partsStore() {
        return driver.getKeyValueStore(SelectorTopology.PARTS_STORE);
    }

    @Test
    void aRequestWithBothModalitiesInOneRecordGoesToTheFusionWithBothTensors() {
        send(request("both", 500).setTask("spoken").setModalities(List.of("image", "audio"))
                .setInputs(List.of(audio(0.25f), Tensor.newBuilder(input(0.5f)).setName("image").build()))
                .setMinAccuracy(0.93).build());

        Plan plan = plans.readValue();
        assertEquals(List.of("fuse"), plan.getVariants());
        assertEquals(0, plan.getRevision());
        assertEquals(0, plan.getPartsMissing());
        InferenceTask task = tasks("fuse").readValue();
        assertEquals("image", task.getInput().getName(), "the model's input order, not the request's");
        assertEquals(List.of("audio"), task.getExtraInputs().stream().map(Tensor::getName).toList());
        assertEquals(audio(0.25f).getData(), task.getExtraInputs().get(0).getData());
    }

    @Test
    void moselGivesTheFusionTaskItsCheaperFallbacksForReplanning() {
        selector.close();
        selector = new SelectorDriver("selector-parts-test-mosel", stateDir, serdes, SelectorTopology.build(serdes,
                multimodalCatalog(), SelectorConfig.defaults().withPolicy("mosel"), new LoadView(2_000), clock,
                new SelectorMetrics(registry)), T0);
        driver = selector.driver;
        requests = selector.requests;
        plans = selector.plans;
        send(request("both", 500).setTask("spoken").setModalities(List.of("image", "audio"))
                .setInputs(List.of(audio(0.25f), Tensor.newBuilder(input(0.5f)).setName("image").build()))
                .setMinAccuracy(0.93).build());
        InferenceTask task = tasks("fuse").readValue();
        // img and aud are cheaper than fuse and use modalities the task carries; the more accurate first
        assertEquals(List.of("img", "aud"), task.getFallbacks());

        send(request("image-only", 500).setTask("spoken").setModalities(List.of("image"))
                .setInputs(List.of(Tensor.newBuilder(input(0.5f)).setName("image").build())).setMinAccuracy(0.85).build());
        assertEquals(List.of(), tasks("img").readValue().getFallbacks(), "nothing cheaper uses only the image");
    }

    @Test
    void anImageOnlyRequestNeverReachesAVariantThatNeedsAudio() {
        send(request("img-only", 500).setTask("spoken").setMinAccuracy(0.93).build());

        Plan plan = plans.readValue();
        assertEquals(PlanDecision.REJECT, plan.getDecision(), "only fuse reaches 0.93 and it needs audio");
        assertTrue(plan.getReason().contains("min_accuracy 0.93"), plan.getReason());
        assertTrue(tasks("fuse").isEmpty());
    }

    @Test
    void partsArePlannedAsTheyArriveAndTheLastPlanIsFinal() {
        send(spokenPart("p", 500, 0).setMinAccuracy(0.93).setFinalOnly(false).build());

        Plan first = plans.readValue();
        assertEquals(PlanDecision.SERVE, first.getDecision());
        assertEquals(List.of("img"), first.getVariants(), "the best the image alone allows, below the floor");
        assertEquals(0, first.getRevision());
        assertEquals(1, first.getPartsMissing());
        assertEquals(2, first.getPartCount());
        assertEquals(1, partsStore().approximateNumEntries());
        InferenceTask imageTask = tasks("img").readValue();
        assertEquals(input(0.5f).getData(), imageTask.getInput().getData());

        clock.advance(Duration.ofMillis(40));
        send(spokenPart("p", 500, 1).setMinAccuracy(0.93).setFinalOnly(false).build());

        Plan last = plans.readValue();
        assertEquals(List.of("fuse"), last.getVariants());
        assertEquals(1, last.getRevision());
        assertEquals(0, last.getPartsMissing(), "every part is in: final");
        assertEquals(T0 + 500, last.getDeadlineMs(), "the first part's header");
        InferenceTask fusionTask = tasks("fuse").readValue();
        assertEquals("image", fusionTask.getInput().getName(), "renamed after its modality");
        assertEquals(input(0.5f).getData(), fusionTask.getInput().getData());
        assertEquals(audio(0.25f).getData(), fusionTask.getExtraInputs().get(0).getData());
        assertTrue(tasks("img").isEmpty(), "img is not run twice");
        assertEquals(0, partsStore().approximateNumEntries(), "state dropped once complete");
        assertEquals(2.0, parts("planned"));
    }

    @Test
    void aReplanThatKeepsAMemberDoesNotRunItAgain() {
        // a floor of 0.85 is met by img alone, before and after the audio arrives
        send(spokenPart("same", 500, 0).setMinAccuracy(0.85).build());
        send(spokenPart("same", 500, 1).setMinAccuracy(0.85).build());

        List<Plan> both = plans.readValuesToList();
        assertEquals(List.of("img"), both.get(0).getVariants());
        assertEquals(List.of("img"), both.get(1).getVariants());
        assertEquals(0, both.get(1).getPartsMissing());
        assertEquals(1, tasks("img").readValuesToList().size());
    }

    @Test
    void theAudioCanArriveFirst() {
        send(spokenPart("rev", 500, 1).setMinAccuracy(0.93).build());
        assertEquals(List.of("aud"), plans.readValue().getVariants());
        send(spokenPart("rev", 500, 0).setMinAccuracy(0.93).build());
        assertEquals(List.of("fuse"), plans.readValue().getVariants());
    }

    @Test
    void withoutSpeculationPartsAreHeldUntilTheLast() {
        send(spokenPart("hold", 500, 0).setMinAccuracy(0.93).setParameters(Map.of("speculate", "false")).build());

        Plan waiting = plans.readValue();
        assertEquals(PlanDecision.SERVE, waiting.getDecision());
        assertEquals(List.of(), waiting.getVariants(), "tells the aggregator the request exists; runs nothing");
        assertEquals(1, waiting.getPartsMissing());
        assertTrue(tasks("img").isEmpty());
        assertEquals(1.0, parts("held"));

        send(spokenPart("hold", 500, 1).setMinAccuracy(0.93).build());
        Plan plan = plans.readValue();
        assertEquals(List.of("fuse"), plan.getVariants());
        assertEquals(1, plan.getRevision());
        assertEquals(0, plan.getPartsMissing());
        assertEquals(1, tasks("fuse").readValuesToList().size());
    }

    @Test
    void aPartSentTwiceIsIgnored() {
        send(spokenPart("dup", 500, 0).build());
        send(spokenPart("dup", 500, 0).build());

        assertEquals(1, plans.readValuesToList().size());
        assertEquals(1.0, parts("duplicate"));
    }

    @Test
    void partsThatDisagreeEndTheRequestInvalid() {
        send(spokenPart("bad", 500, 0).build());
        plans.readValue();
        send(spokenPart("bad", 500, 1).setModalities(List.of("image")).setInputs(List.of(input(0.1f))).build());

        Plan plan = plans.readValue();
        assertEquals(PlanDecision.INVALID, plan.getDecision());
        assertEquals(1, plan.getRevision(), "outranks the provisional plan");
        assertTrue(plan.getReason().contains("modality 'image' arrived in two parts"), plan.getReason());
        assertEquals(0, partsStore().approximateNumEntries());
    }

    @Test
    void aPartOutsideItsCountIsInvalid() {
        send(spokenPart("idx", 500, 0).setPartIndex(2).build());
        Plan plan = plans.readValue();
        assertEquals(PlanDecision.INVALID, plan.getDecision());
        assertTrue(plan.getReason().contains("part_index 2 is outside [0,2)"), plan.getReason());
    }

    @Test
    void theStateOfARequestWhosePartsNeverCameExpires() {
        send(spokenPart("lost", 200, 0).build());
        assertEquals(1, partsStore().approximateNumEntries());

        clock.advance(Duration.ofMillis(200).plus(SelectorProcessor.PARTS_RETENTION).plusSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        assertEquals(0, partsStore().approximateNumEntries());
        assertEquals(1.0, parts("expired"));
    }
}
