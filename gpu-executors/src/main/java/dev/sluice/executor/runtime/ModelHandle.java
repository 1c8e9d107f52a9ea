package dev.sluice.executor.runtime;

import dev.sluice.models.Variant;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One variant's model as its executor sees it: loaded on first {@link #acquire} (and again after
 * an eviction), warmed up with an all-zero batch at the max batch size and at 1 before it serves.
 * What the executor needs before any load (sample size, expected device) comes from the catalog.
 */
public final class ModelHandle {
    private static final Logger log = LoggerFactory.getLogger(ModelHandle.class);

    private final String id;
    private final ModelCache<OnnxModel> cache;
    private final int sampleSize;
    private volatile String device;
    private volatile double lastLoadMs = -1;

    private ModelHandle(String id, ModelCache<OnnxModel> cache, int sampleSize, String expectedDevice) {
        this.id = id;
        this.cache = cache;
        this.sampleSize = sampleSize;
        this.device = expectedDevice;
    }

    /**
     * Registers {@code v} in {@code cache} and returns its handle. {@code expectedDevice} is what
     * {@link #device()} says until the first load tells the device actually in use.
     */
    public static ModelHandle register(ModelCache<OnnxModel> cache, Variant v, Path catalogDir, Device device,
            int intraOpThreads, String expectedDevice) {
        ModelFootprint footprint = ModelFootprint.of(v, catalogDir);
        Path file = v.resolve(catalogDir);
        int maxBatch = v.batching().maxBatch();
        ModelHandle h = new ModelHandle(v.id(), cache, v.allInputs().get(0).sampleSize(), expectedDevice);
        cache.register(v.id(), footprint.bytes(), () -> h.load(file, device, intraOpThreads, v, maxBatch));
        log.info("model {}: {} MB ({}), loaded on first use", v.id(), String.format("%.1f", footprint.mb()),
                footprint.source().name().toLowerCase());
        return h;
    }

    private OnnxModel load(Path file, Device d, int threads, Variant v, int maxBatch) {
        long t0 = System.nanoTime();
        OnnxModel m = OnnxModel.load(file, d, threads, v.allInputs(), v.output().sampleSize());
        try {
            m.warmUp(maxBatch);
        } catch (RuntimeException e) {
            m.close();
            throw new IllegalStateException("warm-up of model '" + id + "' failed: " + e.getMessage(), e);
        }
        lastLoadMs = (System.nanoTime() - t0) / 1e6;
        device = m.device();
        log.info("loaded model {} on {} in {} ms (with warm-up at batch {} and 1)", id, device,
                String.format("%.1f", lastLoadMs), maxBatch);
        return m;
    }

    /** The model, loaded if needed and pinned until the lease closes: hold it only around one batch. */
    public ModelCache<OnnxModel>.Lease acquire() {
        return cache.acquire(id);
    }

    public String id() {
        return id;
    }

    /** Floats of one sample of the model's first (or only) input. */
    public int sampleSize() {
        return sampleSize;
    }

    /** The device in use (cuda or cpu): as expected before the first load, as loaded after. */
    public String device() {
        return device;
    }

    /** Wall time of the last load including warm-up, or -1 before any. */
    public double lastLoadMs() {
        return lastLoadMs;
    }

    public boolean isResident() {
        return cache.isResident(id);
    }
}
