package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.Tensor;
import dev.sluice.common.DeliveryMode;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Requests with an image and audio, whole or in two parts, through the whole pipeline on a real
 * in-JVM broker with the real models of models/catalog-multimodal.yaml. The audio features are
 * made up (the spoken dataset is not generated in CI): this checks what the pipeline does with
 * parts and revisions, not what the models know.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultimodalPipelineIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.multimodal.catalog",
            "../models/catalog-multimodal.yaml"));
    private static final String TASK = "fashion-mnist-spoken";
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private Catalog catalog;
    private FashionMnist test;
    private String fusion;
    private double fusionAccuracy;
    private SluiceStack stack;
    private SluiceClient client;

    @BeforeAll
    void start() {
        catalog = Catalog.load(CATALOG);
        test = FashionMnist.test();
        Variant best = catalog.forTask(TASK).stream().filter(Variant::isProfiled)
                .filter(v -> Set.copyOf(v.modalities()).equals(Set.of("image", "audio")))
                .max(Comparator.comparingDouble(Variant::accuracy)).orElseThrow();
        fusion = best.id();
        fusionAccuracy = best.accuracy();
        stack = SluiceStack.start(null, null, serdes, catalog, CATALOG.toAbsolutePath().getParent(),
                new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE_RESULTS, 20, "infaas", -1, Device.CPU, 1, 2),
                new SimpleMeterRegistry());
        client = SluiceClient.connect(stack.kafka(), serdes);
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static Tensor audio(int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] f = new float[40 * 64];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (r.nextGaussian() * 2 - 6);
        }
        return Tensors.fp32("audio", new long[] {1, 1, 40, 64}, f);
    }

    private Tensor image(int i) {
        return Tensors.fp32("image", new long[] {1, 1, 28, 28}, test.images()[i]);
    }

    private InferenceRequest part(String id, int index, int sample, long deadline, boolean finalOnly, boolean speculate) {
        return InferenceRequest.newBuilder().setId(id).setTask(TASK).setCreatedAtMs(System.currentTimeMillis())
                .setDeadlineMs(deadline).setMinAccuracy(fusionAccuracy).setPartIndex(index).setPartCount(2)
                .setFinalOnly(finalOnly).setParameters(speculate ? Map.of() : Map.of("speculate", "false"))
                .setModalities(List.of(index == 0 ? "image" : "audio"))
                .setInputs(List.of(index == 0 ? image(sample) : audio(sample))).build();
    }

    private boolean imageOnly(String variant) {
        return catalog.variant(variant).orElseThrow().modalities().equals(List.of("image"));
    }

    @Test
    void partsAGapApartGetOneProvisionalThenOneFinalAnswer() throws Exception {
        int n = 30;
        List<List<InferenceResult>> provisional = new ArrayList<>();
        List<CompletableFuture<InferenceResult>> finals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "mm-spec-" + i;
            long deadline = System.currentTimeMillis() + 20_000;
            List<InferenceResult> seen = new CopyOnWriteArrayList<>();
            provisional.add(seen);
            finals.add(client.submit(part(id, 0, i, deadline, false, true), seen::add));
            Thread.sleep(200); // the audio comes later
            client.sendPart(part(id, 1, i, deadline, false, true));
        }
        for (int i = 0; i < n; i++) {
            InferenceResult last = finals.get(i).get(60, TimeUnit.SECONDS);
            List<InferenceResult> early = provisional.get(i);
            assertEquals(ResultStatus.OK, last.getStatus(), last.toString());
            assertTrue(last.getFinal$());
            assertEquals(List.of(fusion), last.getVariants(), "all parts in: the fusion model answers");
            // the image alone answers first unless the audio came in before the image's answer was out
            assertTrue(early.size() <= 1, "at most one provisional answer per plan revision: " + early);
            if (early.size() == 1) {
                InferenceResult p = early.get(0);
                assertFalse(p.getFinal$());
                assertEquals(0, p.getRevision());
                assertTrue(imageOnly(p.getVariants().get(0)), "the provisional answer uses only the image: " + p.getVariants());
                assertEquals(1, last.getRevision());
                assertTrue(last.getReason().contains("revision 0"), last.getReason());
            } else {
                assertEquals(0, last.getRevision());
            }
        }
        long withProvisional = provisional.stream().filter(l -> !l.isEmpty()).count();
        assertTrue(withProvisional >= n / 2, "most requests answered from the image first, got " + withProvisional + " of " + n);
        assertEquals(0, client.duplicates());
    }

    @Test
    void aPartThatNeverArrivesLeavesTheProvisionalAnswerFinalAtTheDeadline() throws Exception {
        List<InferenceResult> seen = new CopyOnWriteArrayList<>();
        long deadline = System.currentTimeMillis() + 2_000;
        InferenceResult last = client.submit(part("mm-lost", 0, 7, deadline, false, true), seen::add).get(60, TimeUnit.SECONDS);

        assertEquals(1, seen.size(), "the image's provisional answer");
        assertTrue(last.getFinal$());
        assertEquals(1, last.getRevision());
        assertEquals(seen.get(0).getLabel(), last.getLabel());
        assertEquals(seen.get(0).getVariants(), last.getVariants());
        assertTrue(last.getCompletedAtMs() >= deadline, "final only once the deadline passed");
        assertTrue(last.getReason().contains("1 of 2 parts never arrived"), last.getReason());
    }

    @Test
    void heldPartsGetOnlyTheFinalAnswer() throws Exception {
        List<InferenceResult> seen = new CopyOnWriteArrayList<>();
        long deadline = System.currentTimeMillis() + 20_000;
        CompletableFuture<InferenceResult> f = client.submit(part("mm-held", 0, 3, deadline, true, false), seen::add);
        Thread.sleep(300);
        client.sendPart(part("mm-held", 1, 3, deadline, true, false));
        InferenceResult last = f.get(60, TimeUnit.SECONDS);

        assertEquals(List.of(), seen);
        assertEquals(ResultStatus.OK, last.getStatus());
        assertEquals(0, last.getRevision());
        assertEquals(List.of(fusion), last.getVariants());
    }

    @Test
    void aWholeRequestWithBothModalitiesGoesToTheFusionModel() throws Exception {
        long now = System.currentTimeMillis();
        InferenceRequest both = InferenceRequest.newBuilder().setId("mm-whole").setTask(TASK).setCreatedAtMs(now)
                .setDeadlineMs(now + 20_000).setMinAccuracy(fusionAccuracy).setModalities(List.of("image", "audio"))
                .setInputs(List.of(audio(1), image(1))).build();
        InferenceResult r = client.submit(both).get(60, TimeUnit.SECONDS);
        assertEquals(ResultStatus.OK, r.getStatus(), r.toString());
        assertEquals(List.of(fusion), r.getVariants());
        assertNotNull(r.getVotes());
    }
}
