package dev.sluice.launcher;

import dev.sluice.executor.profile.EnsembleProfiler;
import dev.sluice.executor.profile.EnsembleProfiler.MemberOutputs;
import dev.sluice.executor.runtime.Device;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledSet;
import dev.sluice.models.Variant;
import dev.sluice.sim.answers.SampleAnswers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The per-sample answers {@code sluice sim} draws correctness from: every image variant of the
 * task run once over the 10,000 Fashion-MNIST test images with ONNX Runtime (the executors'
 * session options, {@link EnsembleProfiler}), kept in a cache file keyed by each model file's
 * SHA-256, so a model that changes is run again and the others are not. About a minute on two
 * cores the first time, a fraction of a second after.
 */
final class SimAnswersCache {
    /** Where {@code sim} keeps them unless told otherwise (git-ignored, like other run outputs). */
    static final Path DEFAULT = Path.of("runs/sim-answers/fashion-mnist-test.answers");

    private SimAnswersCache() {}

    /**
     * The answers of {@code task}'s single-image variants on the test images, from {@code cache}
     * where its fingerprints still match, computed (and the cache rewritten) where they do not.
     * Variants of other modalities are left out (the simulator flips their accuracy coin).
     */
    static SampleAnswers load(Catalog catalog, Path catalogDir, String task, Path cache, Consumer<String> progress) {
        List<Variant> image = catalog.forTask(task).stream()
                .filter(v -> !v.isMultiInput() && LabelledSet.inputModalities(v).equals(List.of("image"))).toList();
        if (image.isEmpty()) {
            return null;
        }
        SampleAnswers cached = Files.isRegularFile(cache) ? readOrNull(cache, progress) : null;
        Map<String, String> fingerprints = new LinkedHashMap<>();
        List<Variant> stale = new ArrayList<>();
        for (Variant v : image) {
            String f = sha256(v.resolve(catalogDir));
            fingerprints.put(v.id(), f);
            if (cached == null || !cached.has(v.id()) || !f.equals(cached.fingerprint(v.id()))) {
                stale.add(v);
            }
        }
        if (stale.isEmpty()) {
            return cached;
        }
        FashionMnist test = FashionMnist.test();
        progress.accept(String.format("sim: computing per-image answers of %s on the %d test images with ONNX Runtime "
                + "(cached in %s)", stale.stream().map(Variant::id).toList(), test.size(), cache));
        Map<String, MemberOutputs> outputs = new EnsembleProfiler(Device.CPU, 2).run(stale, catalogDir, test,
                line -> progress.accept("  " + line.replace("validation accuracy", "test accuracy")));
        Map<String, float[]> p = new LinkedHashMap<>();
        Map<String, String> f = new LinkedHashMap<>();
        int classes = -1;
        for (MemberOutputs m : outputs.values()) {
            p.put(m.variant(), m.probabilities());
            f.put(m.variant(), fingerprints.get(m.variant()));
            classes = m.classes();
        }
        SampleAnswers fresh = new SampleAnswers(test.labels(), classes, p, f);
        SampleAnswers all = cached == null || cached.classes() != classes || cached.samples() != test.size() ? fresh
                : cached.with(fresh);
        all.write(cache);
        return all;
    }

    private static SampleAnswers readOrNull(Path cache, Consumer<String> progress) {
        try {
            return SampleAnswers.read(cache);
        } catch (RuntimeException e) {
            progress.accept("sim: ignoring unreadable answers cache " + cache + " (" + e.getMessage() + ")");
            return null;
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model file " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
