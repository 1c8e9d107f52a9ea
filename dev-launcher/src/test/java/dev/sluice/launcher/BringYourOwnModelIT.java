package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.DeliveryMode;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.ExecutorHost;
import dev.sluice.executor.ModelResidency;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A model nobody here trained, for a task the zoo does not have, brought to a running `up` stack:
 * examples/byo/pooled-linear.onnx takes 49 pooled features named 'features' and answers
 * 'class_scores'. `catalog add` measures it on a labelled set in NumPy files and publishes it;
 * an executor started beside the stack serves it; requests of the new task are answered by it,
 * about as accurately as measured, and the zoo's task still serves.
 */
class BringYourOwnModelIT {
    private static final Path ZOO = Path.of("../models");
    private static final Path MODEL = Path.of("../examples/byo/pooled-linear.onnx");
    private static final String TASK = "fashion-mnist-pooled";

    @Test
    void aNewTaskWithItsOwnModelAndLabelledSetServesEndToEnd(@TempDir Path tmp) throws Exception {
        FashionMnist test = FashionMnist.test();
        int n = 2000;
        float[][] pooled = new float[n][];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            pooled[i] = pool(test.images()[i]);
            labels[i] = test.labels()[i];
        }
        Path features = Files.write(tmp.resolve("features.npy"), npy("<f4", "(" + n + ", 49)", floats(pooled)));
        Path labelFile = Files.write(tmp.resolve("labels.npy"), npy("<i8", "(" + n + ",)", longs(labels)));
        Path myCatalog = Files.createDirectories(tmp.resolve("mine")).resolve("catalog.yaml");
        Files.writeString(myCatalog, "variants: []\n");
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        try (SluiceStack stack = SluiceStack.start(null, null, serdes, Catalog.load(ZOO.resolve("catalog.yaml")),
                ZOO.toAbsolutePath(), SluiceStack.Options.defaults(), new SimpleMeterRegistry())) {
            String bootstrap = stack.kafka().bootstrap();
            StringWriter out = new StringWriter();
            int code = run(out, "catalog", "add", "--onnx", MODEL.toString(), "--id", "pooled-linear", "--task", TASK,
                    "--modality", "features", "--labelled", features + "," + labelFile, "--catalog", myCatalog.toString(),
                    "--device", "cpu", "--threads", "1", "--seconds", "0.1", "--batches", "1,8,32", "--bootstrap", bootstrap,
                    "--create-topics");
            assertEquals(0, code, out.toString());
            Variant added = Catalog.load(myCatalog).variant("pooled-linear").orElseThrow();
            assertEquals("features", added.input().name());
            assertEquals(List.of(-1L, 49L), added.input().shape());
            assertEquals("class_scores", added.output().name());
            assertTrue(added.accuracy() > 0.7, "measured on the labelled set: " + added.accuracy());
            System.out.printf("pooled-linear measured: accuracy %.4f on %d samples, p50 %.3f ms at batch 1%n", added.accuracy(), n,
                    added.profile().p50Ms(1));

            try (LiveCatalog live = LiveCatalog.follow(stack.kafka(), serdes, Catalog.load(myCatalog), Duration.ofSeconds(15));
                 ExecutorHost mine = ExecutorHost.start(stack.kafka(), serdes, live, myCatalog.getParent(), List.of("pooled-linear"),
                         ExecutorConfig.defaults("byo-0").withDelivery(DeliveryMode.EXACTLY_ONCE_RESULTS).withDevice(Device.CPU)
                                 .withThreads(1), ModelResidency.defaults(), new SimpleMeterRegistry());
                 SluiceClient client = SluiceClient.connect(stack.kafka(), serdes)) {
                assertTrue(live.get().variant("pooled-linear").isPresent(), "published");
                long until = System.currentTimeMillis() + 60_000;
                while (!mine.ready()) {
                    assertTrue(System.currentTimeMillis() < until, "executor not ready");
                    Thread.sleep(50);
                }
                List<CompletableFuture<InferenceResult>> answers = new ArrayList<>();
                int asked = 300;
                for (int i = 0; i < asked; i++) { // 100 a second, a generous deadline: a shared CI box is slow
                    long now = System.currentTimeMillis();
                    answers.add(client.submit(InferenceRequest.newBuilder().setId("byo-" + i).setTask(TASK)
                            .setModalities(List.of("features")).setCreatedAtMs(now).setDeadlineMs(now + 30_000)
                            .setInputs(List.of(Tensors.fp32("features", new long[] {1, 49}, pooled[i]))).build()));
                    Thread.sleep(10);
                }
                client.flush();
                int correct = 0;
                for (int i = 0; i < asked; i++) {
                    InferenceResult r = answers.get(i).get(60, TimeUnit.SECONDS);
                    assertEquals(ResultStatus.OK, r.getStatus(), r.toString());
                    assertEquals(List.of("pooled-linear"), r.getVariants());
                    correct += r.getLabel() == labels[i] ? 1 : 0;
                }
                double accuracy = correct / (double) asked;
                System.out.printf("%d requests of %s answered by pooled-linear: accuracy %.4f%n", asked, TASK, accuracy);
                assertEquals(added.accuracy(), accuracy, 0.08, "served about as accurately as measured");
                long now = System.currentTimeMillis();
                InferenceResult zoo = client.submit(InferenceRequest.newBuilder().setId("zoo-0").setTask("fashion-mnist")
                        .setCreatedAtMs(now).setDeadlineMs(now + 10_000)
                        .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[0]))).build())
                        .get(30, TimeUnit.SECONDS);
                assertEquals(ResultStatus.OK, zoo.getStatus(), "the zoo's task still serves");
            }
        }
    }

    /** 28x28 averaged over 4x4 blocks, as examples/byo/make_pooled_model.py does. */
    static float[] pool(float[] image) {
        float[] out = new float[49];
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                out[(r / 4) * 7 + c / 4] += image[r * 28 + c] / 16f;
            }
        }
        return out;
    }

    private static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        String header = dict + " ".repeat(64 - (10 + dict.length() + 1) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private static byte[] floats(float[][] rows) {
        ByteBuffer b = ByteBuffer.allocate(4 * rows.length * rows[0].length).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            for (float f : row) {
                b.putFloat(f);
            }
        }
        return b.array();
    }

    private static byte[] longs(long[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    private static int run(StringWriter sink, String... args) {
        PrintWriter w = new PrintWriter(sink, true);
        return new CommandLine(new Main()).setOut(w).setErr(w).setExecutionExceptionHandler((e, cmd, parsed) -> {
            e.printStackTrace(w);
            return 1;
        }).execute(args);
    }
}
