package dev.sluice.decision.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PredictionCacheTest {
    static final TensorSpec IN = new TensorSpec("input", "FP32", List.of(-1L, 1L, 28L, 28L));
    static final TensorSpec OUT = new TensorSpec("logits", "FP32", List.of(-1L, 10L));

    static Variant variant(String id, double accuracy) {
        LatencyProfile p = new LatencyProfile("cpu", 2, "t", List.of(new LatencyPoint(1, 0.1, 0.2, 0.3)));
        return new Variant(id, "fashion-mnist", List.of("image"), id + ".onnx", IN, OUT, "[0,1]", accuracy, accuracy, p,
                new BatchingConfig(8, 2.0));
    }

    static final Catalog CATALOG = new Catalog(List.of(variant("linear", 0.845), variant("cnn-small", 0.915),
            variant("vgg", 0.934), variant("vgg-tta", 0.935)),
            List.of(new Ensemble(List.of("cnn-small", "vgg"), "MAJORITY", 0.9334, 0.9372),
                    new Ensemble(List.of("cnn-small", "vgg"), "PROBABILITY_AVERAGE", 0.9348, 0.9372)));

    private final AtomicLong nanos = new AtomicLong();
    private final PredictionCache cache = new PredictionCache(
            new PredictionCache.Config(3, Duration.ofSeconds(60), 10, Duration.ofSeconds(5)), nanos::get);

    private static PredictionCache.Key key(int image) {
        return InputKey.of("fashion-mnist", List.of(new InputKey.Input("input", "FP32", List.of(1L, 1L, 28L, 28L),
                ByteBuffer.wrap(new byte[] {(byte) image, 1, 2, 3}))));
    }

    private void advance(long seconds) {
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    private boolean fill(String request, int image, int label, List<String> variants) {
        cache.expect(request, key(image));
        return cache.onResult(request, true, label, 0.9f, variants, CATALOG, 1_000);
    }

    @Test
    void answersARepeatedInputOnlyWhenItsProducerMeetsTheFloor() {
        assertEquals(Optional.empty(), cache.lookup(key(1), 0));
        assertTrue(fill("r1", 1, 7, List.of("cnn-small")));
        PredictionCache.Answer a = cache.lookup(key(1), 0.9).orElseThrow();
        assertEquals(new PredictionCache.Answer(7, 0.9f, List.of("cnn-small"), 0.915, 1_000), a);
        assertEquals(Optional.empty(), cache.lookup(key(1), 0.93), "cnn-small (.915) is under a .93 floor");
        assertEquals(Optional.empty(), cache.lookup(key(2), 0), "another input");
        assertEquals(Optional.empty(), cache.lookup(new PredictionCache.Key("other-task", key(1).inputHash()), 0));
        PredictionCache.Stats s = cache.stats();
        assertEquals(new PredictionCache.Stats(5, 1, 1, 3, 1, 0, 1), s);
        assertEquals(0.2, s.hitRate(), 1e-12);
    }

    @Test
    void fillsOnlyFromAnsweredResultsOfExpectedRequests() {
        assertFalse(cache.onResult("never-sent", true, 3, 0.9f, List.of("vgg"), CATALOG, 0), "not expected");
        cache.expect("r1", key(1));
        assertFalse(cache.onResult("r1", false, -1, 0f, List.of(), CATALOG, 0), "no answer (deadline exceeded)");
        assertFalse(cache.onResult("r1", true, 3, 0.9f, List.of("vgg"), CATALOG, 0), "the expectation is used up");
        cache.expect("r2", key(2));
        assertFalse(cache.onResult("r2", true, 3, 0.9f, List.of("gone"), CATALOG, 0), "a producer the catalog does not know");
        cache.expect("r3", key(3));
        advance(6);
        assertFalse(cache.onResult("r3", true, 3, 0.9f, List.of("vgg"), CATALOG, 0), "its answer came after the pending TTL");
        assertEquals(0, cache.pending());
        assertEquals(0, cache.size());
    }

    @Test
    void boundedInSizeAndTime() {
        for (int i = 0; i < 10; i++) {
            fill("r" + i, i, i % 10, List.of("vgg"));
        }
        assertEquals(3, cache.size(), "at most max entries");
        assertTrue(fill("late", 42, 4, List.of("vgg")));
        assertTrue(cache.lookup(key(42), 0).isPresent());
        advance(61);
        assertEquals(Optional.empty(), cache.lookup(key(42), 0), "expired after its TTL");
        assertEquals(0, cache.size());
    }

    @Test
    void aCatalogChangeToAVariantDropsEveryAnswerItHadAPartIn() {
        fill("a", 1, 1, List.of("vgg"));
        fill("b", 2, 2, List.of("cnn-small", "vgg"));
        fill("c", 3, 3, List.of("linear"));
        assertEquals(Set.of("vgg", "cnn-small", "linear"), cache.producers());
        Catalog reprofiled = CATALOG.with(variant("vgg", 0.931));
        assertEquals(Set.of("vgg"), cache.onCatalog(CATALOG, reprofiled));
        assertEquals(Optional.empty(), cache.lookup(key(1), 0));
        assertEquals(Optional.empty(), cache.lookup(key(2), 0));
        assertTrue(cache.lookup(key(3), 0).isPresent());
        assertEquals(2, cache.stats().invalidated());
        assertEquals(Set.of(), cache.onCatalog(reprofiled, reprofiled), "no change, nothing dropped");
        Catalog without = new Catalog(List.of(variant("cnn-small", 0.915), variant("vgg", 0.931)));
        assertEquals(Set.of("linear", "vgg-tta"), PredictionCache.changedVariants(reprofiled, without), "removed ones too");
        assertEquals(1, cache.invalidateVariant("linear"));
        assertEquals(0, cache.size());
    }

    @Test
    void producerAccuracyIsTheVariantsOrTheMeasuredEnsembles() {
        assertEquals(Optional.of(0.934), PredictionCache.producerAccuracy(CATALOG, List.of("vgg")));
        assertEquals(Optional.of(0.9334), PredictionCache.producerAccuracy(CATALOG, List.of("vgg", "cnn-small")),
                "the ensemble of those members, its lower vote");
        assertEquals(Optional.of(0.935), PredictionCache.producerAccuracy(CATALOG, List.of("linear", "vgg-tta")),
                "unmeasured set: its best member");
        assertEquals(Optional.empty(), PredictionCache.producerAccuracy(CATALOG, List.of("vgg", "nope")));
    }

    @Test
    void theKeyCoversTaskNamesShapesAndBytesAndLeavesTheBufferAlone() {
        ByteBuffer data = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        data.position(1);
        PredictionCache.Key k = InputKey.of("t", List.of(new InputKey.Input("input", "FP32", List.of(1L, 3L), data)));
        assertEquals(1, data.position(), "position untouched");
        assertEquals(k, InputKey.of("t", List.of(new InputKey.Input("input", "FP32", List.of(1L, 3L),
                ByteBuffer.wrap(new byte[] {2, 3, 4})))), "same remaining bytes, same key");
        assertEquals(32, k.inputHash().length());
        assertNotEquals(k, InputKey.of("u", List.of(new InputKey.Input("input", "FP32", List.of(1L, 3L), ByteBuffer.wrap(new byte[] {2, 3, 4})))));
        assertNotEquals(k.inputHash(), InputKey.of("t", List.of(new InputKey.Input("image", "FP32", List.of(1L, 3L),
                ByteBuffer.wrap(new byte[] {2, 3, 4})))).inputHash());
        assertNotEquals(k.inputHash(), InputKey.of("t", List.of(new InputKey.Input("input", "FP32", List.of(3L, 1L),
                ByteBuffer.wrap(new byte[] {2, 3, 4})))).inputHash());
        assertNotEquals(k.inputHash(), InputKey.of("t", List.of(new InputKey.Input("input", "FP32", List.of(1L, 3L),
                ByteBuffer.wrap(new byte[] {2, 3, 5})))).inputHash());
    }

    @Test
    void configParsesAndRefusesNonsense() {
        assertEquals(new PredictionCache.Config(5000, Duration.ofMinutes(10)), PredictionCache.Config.parse("5000,10m"));
        assertEquals(Duration.ofSeconds(30), PredictionCache.Config.parse("1,30").ttl());
        assertEquals(Duration.ofHours(2), PredictionCache.Config.parse("1,2h").ttl());
        assertThrows(IllegalArgumentException.class, () -> PredictionCache.Config.parse("5000"));
        assertThrows(IllegalArgumentException.class, () -> PredictionCache.Config.parse("0,10m"));
        assertThrows(IllegalArgumentException.class, () -> PredictionCache.Config.parse("10,0s"));
    }
}
