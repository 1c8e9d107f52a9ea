package dev.sluice.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The model cache over real ONNX Runtime sessions of the committed models. */
class ModelCacheTest {
    private static final Path DIR = Path.of("../models");
    private static final Catalog CATALOG = Catalog.load(DIR.resolve("catalog.yaml"));
    private static final long MB = 1L << 20;

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    private final ModelCache.Listener listener = new ModelCache.Listener() {
        @Override
        public void loaded(String id, long bytes, long loadNanos) {
            events.add("load " + id);
            loads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void evicted(String id, long bytes) {
            events.add("evict " + id);
        }
    };
    private ModelCache<OnnxModel> cache;

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
    }

    /** A catalog variant charged {@code mb} (so the test does not depend on the catalog's measured figures). */
    private ModelHandle handle(String id, double mb) {
        Variant v = CATALOG.variant(id).orElseThrow().withMemoryMb(mb);
        return ModelHandle.register(cache, v, DIR, Device.CPU, 1, "cpu");
    }

    private static float[] run(ModelHandle h, float[] input) {
        try (ModelCache<OnnxModel>.Lease lease = h.acquire()) {
            return lease.model().run(input, 1);
        }
    }

    private static OnnxModel instance(ModelHandle h) {
        try (ModelCache<OnnxModel>.Lease lease = h.acquire()) {
            return lease.model();
        }
    }

    @Test
    void loadsOnFirstUseWithWarmUp() {
        cache = new ModelCache<>(ResidencyPolicy.UNLIMITED, 1000, listener);
        ModelHandle cnn = handle("cnn-small", 10);
        assertFalse(cnn.isResident(), "registering loads nothing");
        assertEquals(-1, cnn.lastLoadMs());
        assertEquals(784, cnn.sampleSize());
        float[] out = run(cnn, OnnxModelTest.image(1));
        assertEquals(10, out.length);
        assertTrue(cnn.isResident());
        assertTrue(cnn.lastLoadMs() > 0, "load time recorded: " + cnn.lastLoadMs());
        assertEquals("cpu", cnn.device());
        assertEquals(List.of("load cnn-small"), events);
        run(cnn, OnnxModelTest.image(2));
        assertEquals(1, loads.get("cnn-small").get(), "a resident model is not loaded again");
        assertEquals(10 * MB, cache.residentBytes());
    }

    @Test
    void evictsTheLeastRecentlyUsedAndReloadsItWithTheSameResults() {
        cache = new ModelCache<>(25 * MB, 1000, listener); // two of the three fit
        ModelHandle linear = handle("linear", 10);
        ModelHandle mlp = handle("mlp", 10);
        ModelHandle cnn = handle("cnn-small", 10);
        float[] x = OnnxModelTest.image(7);

        float[] linearBefore = run(linear, x);
        OnnxModel mlpFirst = instance(mlp);
        float[] mlpBefore = run(mlp, x);
        run(linear, x); // linear is now more recent than mlp
        float[] cnnOut = run(cnn, x);

        assertEquals(List.of("load linear", "load mlp", "evict mlp", "load cnn-small"), events);
        assertTrue(mlpFirst.isClosed(), "the evicted session was closed");
        assertFalse(mlp.isResident());
        assertEquals(List.of("linear", "cnn-small"), cache.lruOrder());
        assertEquals(20 * MB, cache.residentBytes());

        float[] mlpAfter = run(mlp, x); // reload evicts linear, now the least recently used
        assertEquals(List.of("load linear", "load mlp", "evict mlp", "load cnn-small", "evict linear", "load mlp"), events);
        assertNotSame(mlpFirst, instance(mlp), "a new session");
        assertArrayEquals(mlpBefore, mlpAfter, "same input, same output after the reload");
        assertArrayEquals(linearBefore, run(linear, x), "and for linear, reloaded once more");
        assertArrayEquals(cnnOut, run(cnn, x));
        assertEquals(2, cache.residentCount());
        assertFalse(Arrays.equals(mlpBefore, linearBefore), "different models answer differently");
    }

    @Test
    void aPinnedModelIsNotEvictedEvenWhenLeastRecentlyUsed() {
        cache = new ModelCache<>(25 * MB, 1000, listener);
        ModelHandle linear = handle("linear", 10);
        ModelHandle mlp = handle("mlp", 10);
        ModelHandle cnn = handle("cnn-small", 10);
        float[] x = OnnxModelTest.image(3);
        float[] expected = run(linear, x);
        try (ModelCache<OnnxModel>.Lease running = linear.acquire()) { // a batch on linear, the oldest
            run(mlp, x);
            run(cnn, x); // must evict mlp, not the pinned linear
            assertEquals(List.of("load linear", "load mlp", "evict mlp", "load cnn-small"), events);
            assertFalse(running.model().isClosed());
            assertArrayEquals(expected, running.model().run(x, 1), "the pinned session still serves");
        }
        assertTrue(linear.isResident());
        assertFalse(mlp.isResident());
    }

    @Test
    void waitsForABatchToEndWhenPinnedModelsFillTheBudget() throws Exception {
        cache = new ModelCache<>(15 * MB, 20_000, listener); // one at a time
        ModelHandle linear = handle("linear", 10);
        ModelHandle mlp = handle("mlp", 10);
        float[] x = OnnxModelTest.image(4);
        CompletableFuture<float[]> other;
        try (ModelCache<OnnxModel>.Lease running = linear.acquire()) {
            other = CompletableFuture.supplyAsync(() -> run(mlp, x));
            Thread.sleep(300);
            assertFalse(other.isDone(), "mlp cannot load while a batch runs on linear");
            assertFalse(running.model().isClosed());
        }
        assertEquals(10, other.get(20, TimeUnit.SECONDS).length);
        assertEquals(List.of("load linear", "evict linear", "load mlp"), events);
    }

    @Test
    void givesUpWithAClearErrorWhenRoomNeverComes() throws Exception {
        cache = new ModelCache<>(15 * MB, 200, listener);
        ModelHandle linear = handle("linear", 10);
        ModelHandle mlp = handle("mlp", 10);
        try (ModelCache<OnnxModel>.Lease running = linear.acquire()) {
            // another thread, as another variant's executor would be (one thread never holds two leases)
            CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
                try {
                    run(mlp, new float[784]);
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            Throwable e = failure.get(10, TimeUnit.SECONDS);
            assertTrue(e != null, "mlp must not load while linear holds the whole budget");
            assertTrue(e.getMessage().contains("no room for model 'mlp' (10.0 MB) within 200 ms"), e.getMessage());
            assertTrue(e.getMessage().contains("[linear]"), e.getMessage());
        }
        assertTrue(linear.isResident());
        assertFalse(mlp.isResident());
    }

    @Test
    void aModelLargerThanTheBudgetIsRefusedAtRegistration() {
        cache = new ModelCache<>(8 * MB, 1000, listener);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> handle("vgg", 10));
        assertTrue(e.getMessage().contains("'vgg' needs 10.0 MB, more than the whole memory budget of 8.0 MB"),
                e.getMessage());
        ModelHandle linear = handle("linear", 8); // exactly the budget is fine
        assertEquals(10, run(linear, new float[784]).length);
    }

    @Test
    void aFailedLoadFreesItsReservation() {
        cache = new ModelCache<>(25 * MB, 1000, listener);
        Variant v = CATALOG.variant("linear").orElseThrow();
        Variant broken = new Variant("broken", v.task(), v.modalities(), "no-such.onnx", v.input(), v.output(),
                v.preprocessing(), null, null, null, null, 10.0);
        ModelHandle b = ModelHandle.register(cache, broken, DIR, Device.CPU, 1, "cpu");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::acquire);
        assertTrue(e.getMessage().contains("no-such.onnx"), e.getMessage());
        assertEquals(0, cache.residentBytes());
        assertFalse(b.isResident());
    }

    @Test
    void threadsSharingTheCacheUnderABudgetKeepTheirAnswers() throws Exception {
        cache = new ModelCache<>(25 * MB, 30_000, listener);
        List<ModelHandle> handles = List.of(handle("linear", 10), handle("mlp", 10), handle("cnn-small", 10));
        float[] x = OnnxModelTest.image(9);
        Map<String, float[]> expected = new HashMap<>();
        for (ModelHandle h : handles) {
            expected.put(h.id(), run(h, x));
        }
        List<CompletableFuture<Integer>> threads = new ArrayList<>();
        for (ModelHandle h : handles) {
            threads.add(CompletableFuture.supplyAsync(() -> {
                int ok = 0;
                for (int i = 0; i < 15; i++) {
                    float[] out = run(h, x);
                    assertArrayEquals(expected.get(h.id()), out, h.id() + " run " + i);
                    ok++;
                }
                return ok;
            }, r -> new Thread(r, "executor-" + h.id()).start()));
        }
        for (CompletableFuture<Integer> t : threads) {
            assertEquals(15, t.get(60, TimeUnit.SECONDS));
        }
        assertTrue(cache.residentBytes() <= 25 * MB);
        assertTrue(cache.residentCount() <= 2);
        long evictions = events.stream().filter(s -> s.startsWith("evict")).count();
        long loadCount = events.stream().filter(s -> s.startsWith("load")).count();
        assertEquals(loadCount - cache.residentCount(), evictions, "every load beyond the resident ones was evicted");
    }

    @Test
    void closingTheCacheClosesEverySession() {
        cache = new ModelCache<>(ResidencyPolicy.UNLIMITED, 1000, listener);
        ModelHandle linear = handle("linear", 1);
        ModelHandle mlp = handle("mlp", 1);
        OnnxModel a = instance(linear);
        OnnxModel b = instance(mlp);
        cache.close();
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, linear::acquire);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        cache = null;
    }
}
