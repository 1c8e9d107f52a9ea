package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.ResultStatus;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.TopicFollower;
import dev.sluice.decision.cache.PredictionCache;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import dev.sluice.selector.SelectorCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Clipper's prediction cache end to end: a real in-JVM broker, the real models, the selector with
 * the cache and its follower of sluice.results, the aggregator answering cached plans.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionCacheIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final int IMAGES = 20;
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final Set<String> ran = ConcurrentHashMap.newKeySet();
    private Catalog catalog;
    private FashionMnist test;
    private SluiceStack stack;
    private SluiceClient client;
    private TopicFollower<ModelOutput> partials;

    @BeforeAll
    void start() {
        catalog = Catalog.load(CATALOG);
        test = FashionMnist.test();
        stack = SluiceStack.start(null, null, serdes, catalog, CATALOG.toAbsolutePath().getParent(),
                new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE_RESULTS, 20, "infaas", -1, Device.CPU, 1, 1)
                        .withPredictionCache(PredictionCache.Config.parse("1000,10m")),
                new SimpleMeterRegistry());
        client = SluiceClient.connect(stack.kafka(), serdes);
        partials = new TopicFollower<>("it-partials", stack.kafka(), Topics.DEFAULT.partials(), serdes.<ModelOutput>deserializer(),
                TopicFollower.Start.BEGINNING, o -> ran.add(o.getRequestId()));
    }

    @AfterAll
    void stop() {
        if (partials != null) {
            partials.close();
        }
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private InferenceRequest request(String id, int image, double floor, Map<String, String> parameters) {
        long now = System.currentTimeMillis();
        return InferenceRequest.newBuilder().setId(id).setTask("fashion-mnist").setCreatedAtMs(now).setDeadlineMs(now + 10_000)
                .setMinAccuracy(floor).setParameters(parameters)
                .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[image]))).build();
    }

    /**
     * Sends one request per image and waits for every answer, then until the selector's follower of
     * sluice.results has filled the cache from the answers it computed (a loaded host may lag).
     */
    private List<InferenceResult> pass(String prefix, double floor, Map<String, String> parameters) throws Exception {
        long fills = stack.selectorCache().cache().stats().fills();
        List<CompletableFuture<InferenceResult>> futures = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            futures.add(client.submit(request(prefix + i, i, floor, parameters)));
        }
        client.flush();
        List<InferenceResult> out = new ArrayList<>();
        for (CompletableFuture<InferenceResult> f : futures) {
            out.add(f.get(60, TimeUnit.SECONDS));
        }
        boolean fill = !parameters.containsKey(SelectorCache.PARAMETER);
        long expected = fills + (fill ? out.stream().filter(r -> !r.getCached()).count() : 0);
        long until = System.currentTimeMillis() + 30_000;
        while (stack.selectorCache().cache().stats().fills() < expected && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertEquals(expected, stack.selectorCache().cache().stats().fills(), "the cache filled from the computed answers");
        return out;
    }

    @Test
    void repeatedInputsAreAnsweredFromTheCacheOnlyWhenWhatProducedThemMeetsTheFloor() throws Exception {
        List<InferenceResult> first = pass("first-", 0.0, Map.of());
        first.forEach(r -> assertFalse(r.getCached(), r.toString()));
        String cheapest = first.get(0).getVariants().get(0);
        double cheapestAccuracy = catalog.variant(cheapest).orElseThrow().accuracy();

        List<InferenceResult> again = pass("again-", 0.0, Map.of());
        for (int i = 0; i < IMAGES; i++) {
            InferenceResult r = again.get(i);
            assertEquals(ResultStatus.OK, r.getStatus());
            assertTrue(r.getCached(), "a repeat is answered from the cache: " + r);
            assertEquals(first.get(i).getLabel(), r.getLabel(), "the label computed the first time");
            assertEquals(first.get(i).getVariants(), r.getVariants());
            assertTrue(r.getVotes().isEmpty());
            assertTrue(r.getReason().startsWith("answered from the prediction cache"), r.getReason());
            assertFalse(ran.contains(r.getRequestId()), "no member ran for " + r.getRequestId());
        }

        List<InferenceResult> off = pass("off-", 0.0, Map.of(SelectorCache.PARAMETER, "off"));
        off.forEach(r -> assertFalse(r.getCached(), "opted out: " + r));
        assertTrue(ran.contains("off-0"));

        // a floor above what produced the cached answers: computed again, by a variant meeting it
        double floor = Math.min(0.93, catalog.variants().stream().mapToDouble(v -> v.accuracy()).max().orElseThrow());
        assertTrue(floor > cheapestAccuracy);
        List<InferenceResult> strict = pass("strict-", floor, Map.of());
        for (InferenceResult r : strict) {
            assertFalse(r.getCached(), "the cached answer came from " + cheapest + ", under the floor");
            assertTrue(catalog.variant(r.getVariants().get(0)).orElseThrow().accuracy() >= floor);
        }
        // ... whose answers now serve both floors
        pass("strict-again-", floor, Map.of()).forEach(r -> assertTrue(r.getCached(), r.toString()));
        List<InferenceResult> loose = pass("loose-", 0.0, Map.of());
        for (int i = 0; i < IMAGES; i++) {
            assertTrue(loose.get(i).getCached());
            assertEquals(strict.get(i).getVariants(), loose.get(i).getVariants(), "the better answer replaced the first");
        }
        assertEquals(0, client.duplicates());
    }
}
