package dev.sluice.executor.profile;

import ai.onnxruntime.OrtEnvironment;
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.ResidentMemory;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures what each variant's loaded session holds: the growth of this process's resident set
 * (VmRSS) across the session's load and warm-up. ONNX Runtime reports no per-session memory.
 *
 * <p>To keep the figures about the models: run it before anything else in the process; one model
 * is loaded first and kept (so the runtime's one-time native set-up is charged to no variant),
 * and every measured session stays open until the end (so a later load cannot reuse memory that
 * an earlier one freed, which would hide its cost). The RSS of one process is noisy by a few
 * hundred kB (JVM heap growth and release, malloc arenas), so each variant is loaded
 * {@value #REPEATS} times (all kept open) and the median growth kept, never less than the file's
 * size (the weights are resident once the session serves).
 */
public final class MemoryProfiler {
    /** Loads per variant; the median growth is kept. */
    static final int REPEATS = 3;

    private final Device device;
    private final int threads;

    public MemoryProfiler(Device device, int threads) {
        this.device = device;
        this.threads = threads;
    }

    /** variant id -> MB, rounded to 0.1; empty where RSS cannot be read (not Linux). */
    public Map<String, Double> measure(List<Variant> variants, Path catalogDir, Consumer<String> progress) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (variants.isEmpty()) {
            return out;
        }
        if (ResidentMemory.rssBytes() < 0) {
            progress.accept("memory: /proc/self/status unreadable here; memory_mb not measured");
            return out;
        }
        OrtEnvironment.getEnvironment();
        List<OnnxModel> open = new ArrayList<>();
        try {
            open.add(loadWarm(variants.get(0), catalogDir)); // primer: the runtime's one-time costs
            for (Variant v : variants) {
                long[] grown = new long[REPEATS];
                for (int i = 0; i < REPEATS; i++) {
                    long before = ResidentMemory.rssBytes();
                    open.add(loadWarm(v, catalogDir));
                    grown[i] = ResidentMemory.rssBytes() - before;
                }
                Arrays.sort(grown);
                long fileBytes = v.resolve(catalogDir).toFile().length();
                // the weights are resident once the session serves: a smaller figure is noise
                long bytes = Math.max(grown[REPEATS / 2], fileBytes);
                double mb = Math.round(bytes / 1048576.0 * 10) / 10.0;
                out.put(v.id(), mb);
                progress.accept(String.format("%-10s memory %7.1f MB resident after load and warm-up (median of %d loads, "
                        + "each kept open: %s kB; file %.1f MB)", v.id(), mb, REPEATS, kb(grown), fileBytes / 1048576.0));
            }
        } finally {
            open.forEach(OnnxModel::close);
        }
        return out;
    }

    private static String kb(long[] bytes) {
        return Arrays.toString(Arrays.stream(bytes).map(b -> b / 1024).toArray());
    }

    private OnnxModel loadWarm(Variant v, Path dir) {
        OnnxModel m = OnnxModel.load(v, dir, device, threads);
        try {
            m.warmUp(v.batching().maxBatch());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }
}
