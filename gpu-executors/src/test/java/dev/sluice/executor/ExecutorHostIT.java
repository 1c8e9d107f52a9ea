package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.common.TopicLayout;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.Softmax;
import dev.sluice.models.Catalog;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.LatencyProfile;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Executor hosts on one real broker (each test serves its own variants and reads only its own
 * request ids): a memory budget smaller than the models, a two-input model, and tasks skipped
 * because the aggregator already answered their request.
 */
class ExecutorHostIT {
    private static final Path DIR = Path.of("../models");
    private static final List<String> SERVED = List.of("linear", "mlp", "cnn-small");
    private static final long MB = 1L << 20;

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void servesThreeVariantsUnderABudgetForTwo() throws Exception {
        Catalog full = Catalog.load(DIR.resolve("catalog.yaml"));
        Catalog catalog = full;
        for (String id : SERVED) { // charged 10 MB each, so the test does not hang on measured figures
            catalog = catalog.with(full.variant(id).orElseThrow().withMemoryMb(10.0));
        }
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int rounds = 8;
        int perRound = 3;
        try (Admin admin = kafka.admin()) {
            new TopicLayout(1, (short) 1, SERVED).create(admin);
        }
        ExecutorConfig config = ExecutorConfig.defaults("host-it").withDevice(Device.CPU).withThreads(1)
                .withDelivery(DeliveryMode.AT_LEAST_ONCE);
        try (ExecutorHost host = ExecutorHost.start(KafkaSettings.of(kafka.bootstrap()), serdes, catalog, DIR, SERVED,
                config, new ModelResidency(25 * MB, false, 30_000), registry)) {
            long until = System.currentTimeMillis() + 60_000;
            while (!host.ready() && System.currentTimeMillis() < until) {
                Thread.sleep(50);
            }
            assertTrue(host.ready(), "consumers joined their groups");
            assertEquals(List.of(), host.residentModels(), "ready before any model is loaded: lazy");

            Map<String, float[]> images = new HashMap<>();
            try (KafkaProducer<String, InferenceTask> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    kafka.bootstrap()), new StringSerializer(), serdes.<InferenceTask>serializer())) {
                long deadline = System.currentTimeMillis() + 300_000;
                for (int r = 0; r < rounds; r++) {
                    for (String v : SERVED) { // each round touches all three: the budget holds two
                        for (int i = 0; i < perRound; i++) {
                            String id = v + "-" + r + "-" + i;
                            float[] px = image(r * 31 + i);
                            images.put(id, px);
                            p.send(new ProducerRecord<>(Topics.DEFAULT.tasks(v), id, InferenceTask.newBuilder().setRequestId(id)
                                    .setVariant(v).setTask("fashion-mnist")
                                    .setInput(Tensors.fp32("input", new long[] {1, 1, 28, 28}, px))
                                    .setCreatedAtMs(System.currentTimeMillis()).setDeadlineMs(deadline)
                                    .setEnqueuedAtMs(System.currentTimeMillis()).build()));
                        }
                        p.flush();
                        Thread.sleep(150); // let the executor of v run before the next variant's tasks
                    }
                }
            }
            Map<String, ModelOutput> outputs = read(kafka.bootstrap(), serdes, images.keySet(), 120_000);
            assertEquals(images.size(), outputs.size(), "every task answered");

            // the answers are the models' own, whatever was evicted and reloaded in between
            for (String v : SERVED) {
                Variant variant = catalog.variant(v).orElseThrow();
                try (OnnxModel direct = OnnxModel.load(variant.resolve(DIR), Device.CPU, 1, 784, 10)) {
                    outputs.forEach((id, o) -> {
                        if (!o.getVariant().equals(v)) {
                            return;
                        }
                        assertEquals(OutputStatus.OK, o.getStatus(), id + ": " + o.getReason());
                        float[] probs = Softmax.probabilities(direct.run(images.get(id), 1), 0, 10);
                        assertEquals(Softmax.argmax(probs, 0, 10), o.getLabel(), id);
                        for (int c = 0; c < 10; c++) {
                            assertEquals(probs[c], o.getProbabilities().get(c), 1e-4f, id + " class " + c);
                        }
                    });
                }
            }
            double loads = registry.find("sluice.executor.model.loads").counters().stream().mapToDouble(c -> c.count()).sum();
            double evictions = registry.find("sluice.executor.model.evictions").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            double resident = registry.get("sluice.executor.models.resident.bytes").gauge().value();
            assertTrue(evictions >= 1, "a budget for two of three models evicts: " + evictions);
            assertEquals(loads - host.residentModels().size(), evictions, 0.0, "every load beyond the resident ones");
            assertTrue(resident <= 25 * MB, "resident " + resident);
            assertTrue(host.residentModels().size() <= 2, host.residentModels().toString());
            assertEquals(25.0 * MB, registry.get("sluice.executor.models.budget.bytes").gauge().value());
            System.out.printf("ExecutorHostIT: %d tasks, %.0f loads, %.0f evictions, resident %s%n", outputs.size(),
                    loads, evictions, host.residentModels());
        }
    }

    /**
     * fusion-cnn (image + audio) through the broker: tasks with the tensors in either order get the
     * model's own answer; tasks missing their audio or carrying a short one get an ERROR output
     * saying so, and the executor goes on serving the tasks behind them.
     */
    @Test
    void servesATwoInputModelAndRefusesIncompleteTasks() throws Exception {
        Catalog catalog = Catalog.load(DIR.resolve("catalog-multimodal.yaml"));
        Variant fusion = catalog.variant("fusion-cnn").orElseThrow();
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        try (Admin admin = kafka.admin()) {
            new TopicLayout(1, (short) 1, List.of("fusion-cnn")).create(admin);
        }
        ExecutorConfig config = ExecutorConfig.defaults("host-mm-it").withDevice(Device.CPU).withThreads(1)
                .withDelivery(DeliveryMode.AT_LEAST_ONCE);
        try (ExecutorHost host = ExecutorHost.start(KafkaSettings.of(kafka.bootstrap()), serdes, catalog, DIR,
                List.of("fusion-cnn"), config, new SimpleMeterRegistry())) {
            long until = System.currentTimeMillis() + 60_000;
            while (!host.ready() && System.currentTimeMillis() < until) {
                Thread.sleep(50);
            }
            assertTrue(host.ready(), "consumer joined its group");
            Map<String, float[][]> sent = new HashMap<>(); // id -> {image, audio}
            try (KafkaProducer<String, InferenceTask> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    kafka.bootstrap()), new StringSerializer(), serdes.<InferenceTask>serializer())) {
                long deadline = System.currentTimeMillis() + 300_000;
                String[] ids = {"ok-0", "ok-1", "no-audio", "short-audio", "ok-2", "ok-3"};
                for (int i = 0; i < ids.length; i++) {
                    float[] px = image(i * 7 + 1);
                    float[] au = TaskInputsTest.audio(i);
                    sent.put(ids[i], new float[][] {px, au});
                    dev.sluice.avro.Tensor img = Tensors.fp32("image", new long[] {1, 1, 28, 28}, px);
                    dev.sluice.avro.Tensor aud = Tensors.fp32("audio", new long[] {1, 1, 40, 64}, au);
                    InferenceTask.Builder b = InferenceTask.newBuilder().setRequestId(ids[i]).setVariant("fusion-cnn")
                            .setTask("fashion-mnist-spoken").setCreatedAtMs(System.currentTimeMillis())
                            .setDeadlineMs(deadline).setEnqueuedAtMs(System.currentTimeMillis());
                    switch (ids[i]) {
                        case "no-audio" -> b.setInput(img).setExtraInputs(List.of());
                        case "short-audio" -> b.setInput(img).setExtraInputs(List.of(
                                Tensors.fp32("audio", new long[] {1, 1, 40, 32}, java.util.Arrays.copyOf(au, 1280))));
                        default -> {
                            if (i % 2 == 0) {
                                b.setInput(img).setExtraInputs(List.of(aud));
                            } else {
                                b.setInput(aud).setExtraInputs(List.of(img)); // the other order
                            }
                        }
                    }
                    p.send(new ProducerRecord<>(Topics.DEFAULT.tasks("fusion-cnn"), ids[i], b.build()));
                }
                p.flush();
            }
            Map<String, ModelOutput> outputs = read(kafka.bootstrap(), serdes, sent.keySet(), 120_000);
            assertEquals(sent.keySet(), outputs.keySet(), "every task answered");
            assertEquals(OutputStatus.ERROR, outputs.get("no-audio").getStatus());
            assertTrue(outputs.get("no-audio").getReason().contains("no 'audio' tensor"), outputs.get("no-audio").getReason());
            assertEquals(OutputStatus.ERROR, outputs.get("short-audio").getStatus());
            assertTrue(outputs.get("short-audio").getReason().contains("'audio'"), outputs.get("short-audio").getReason());
            for (String id : List.of("ok-0", "ok-1", "ok-2", "ok-3")) {
                ModelOutput o = outputs.get(id);
                assertEquals(OutputStatus.OK, o.getStatus(), id + ": " + o.getReason());
                float[] probs = Softmax.probabilities(TaskInputsTest.direct(fusion.resolve(DIR), sent.get(id)[0],
                        sent.get(id)[1]), 0, 10);
                assertEquals(Softmax.argmax(probs, 0, 10), o.getLabel(), id);
                for (int c = 0; c < 10; c++) {
                    assertEquals(probs[c], o.getProbabilities().get(c), 1e-4f, id + " class " + c);
                }
            }
            System.out.printf("ExecutorHostIT multimodal: %s%n", outputs.values().stream()
                    .map(o -> o.getRequestId() + "=" + o.getStatus() + (o.getStatus() == OutputStatus.OK ? "/" + o.getLabel()
                            : " (" + o.getReason() + ")")).sorted().toList());
        }
    }

    /**
     * Requests answered early (their ids on the cancellations topic, as the aggregator writes
     * them) have their queued tasks skipped: no output, counted with the compute saved, offsets
     * committed; the other tasks in the same polls are served.
     */
    @Test
    void skipsTheQueuedTasksOfRequestsAnsweredEarly() throws Exception {
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ExecutorHost host = startOnOneThread("vgg", "host-cancel-it", serdes, registry)) {
            List<String> answered = List.of("early-0", "early-1", "early-2");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrap()),
                    new StringSerializer(), new StringSerializer())) {
                for (String id : answered) {
                    p.send(new ProducerRecord<>(Topics.DEFAULT.cancellations(), id, id));
                }
            }
            long until = System.currentTimeMillis() + 30_000;
            while (registry.get("sluice.executor.cancellations.known").gauge().value() < answered.size()
                    && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            assertEquals(answered.size(), registry.get("sluice.executor.cancellations.known").gauge().value(), 0.0);

            Set<String> live = Set.of("live-0", "live-1", "live-2");
            try (KafkaProducer<String, InferenceTask> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    kafka.bootstrap()), new StringSerializer(), serdes.<InferenceTask>serializer())) {
                long deadline = System.currentTimeMillis() + 300_000;
                for (int i = 0; i < 3; i++) { // interleaved: the skipped and the served share polls and batches
                    for (String id : List.of(answered.get(i), "live-" + i)) {
                        p.send(new ProducerRecord<>(Topics.DEFAULT.tasks("vgg"), id, imageTask(id, "vgg", i, deadline)));
                    }
                }
            }
            Map<String, ModelOutput> outputs = read(kafka.bootstrap(), serdes, live, 120_000);
            assertEquals(live, outputs.keySet(), "the other tasks are served");
            until = System.currentTimeMillis() + 30_000;
            while (registry.get("sluice.executor.cancelled").counter().count() < answered.size()
                    && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            assertEquals(answered.size(), registry.get("sluice.executor.cancelled").counter().count(), 0.0);
            assertTrue(registry.get("sluice.executor.compute.saved").counter().count() > 0, "compute saved is counted");
            assertEquals(Map.of(), read(kafka.bootstrap(), serdes, Set.copyOf(answered), 2_000), "no output for a skipped task");
            // the skipped tasks' offsets are committed with the served ones: nothing left to re-read
            until = System.currentTimeMillis() + 30_000;
            long committed = -1;
            while (committed < 6 && System.currentTimeMillis() < until) {
                try (Admin admin = kafka.admin()) {
                    var offsets = admin.listConsumerGroupOffsets(VariantExecutor.groupId(Topics.DEFAULT, "vgg")).partitionsToOffsetAndMetadata()
                            .get().get(new TopicPartition(Topics.DEFAULT.tasks("vgg"), 0));
                    committed = offsets == null ? -1 : offsets.offset();
                }
                Thread.sleep(100);
            }
            assertEquals(6, committed, "committed position after the six tasks");
        }
    }

    /**
     * After a batch long enough for tasks to arrive unseen (the consumer's one fetch in flight was
     * answered as the batch began), the executor polls at once, without waiting, to send the next
     * fetch, and the tasks that poll brings are served like any other. 200 tasks of the heavy
     * variant on one thread: batches of 8 take about 20 ms here, past the 8 ms threshold.
     */
    @Test
    void pollsRightAfterALongBatchAndServesWhatThatPollBrings() throws Exception {
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ExecutorHost host = startOnOneThread("vgg-b-tta", "host-catchup-it", serdes, registry)) {
            Set<String> ids = new java.util.HashSet<>();
            try (KafkaProducer<String, InferenceTask> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    kafka.bootstrap()), new StringSerializer(), serdes.<InferenceTask>serializer())) {
                long deadline = System.currentTimeMillis() + 300_000;
                for (int i = 0; i < 200; i++) {
                    String id = "catchup-" + i;
                    ids.add(id);
                    p.send(new ProducerRecord<>(Topics.DEFAULT.tasks("vgg-b-tta"), id, imageTask(id, "vgg-b-tta", i, deadline)));
                }
            }
            Map<String, ModelOutput> outputs = read(kafka.bootstrap(), serdes, ids, 120_000);
            assertEquals(ids, outputs.keySet(), "every task is answered");
            assertTrue(outputs.values().stream().allMatch(o -> o.getStatus() == OutputStatus.OK), "and served");
            var prefetches = registry.get("sluice.executor.prefetch.tasks").tag("variant", "vgg-b-tta").summary();
            assertTrue(prefetches.count() >= 1, "a long batch was followed by a poll at once");
            assertTrue(prefetches.totalAmount() >= 1, "which brought tasks in: " + prefetches.totalAmount());
        }
    }

    /**
     * MOSEL re-planning on the broker: fusion-cnn's catalog profile says a full batch takes 40 s
     * (as if profiled on a far slower machine), so with three batches queued and a 60 s deadline
     * the executor predicts everything past the first batch late and moves it to the task's
     * fallback, cnn-small, which answers it. Every request gets exactly one answer: fusion-cnn's
     * own, or a MOVED notice from fusion-cnn followed by cnn-small's answer on the image alone.
     */
    @Test
    void movesQueuedTasksItWouldAnswerLateToTheirFallback() throws Exception {
        Catalog measured = Catalog.load(DIR.resolve("catalog-multimodal.yaml"));
        Variant fusion = measured.variant("fusion-cnn").orElseThrow();
        LatencyProfile slow = new LatencyProfile("cpu", 1, "2026-12-02T00:00:00Z", List.of(
                new LatencyPoint(1, 1_250, 1_250, 1_250), new LatencyPoint(32, 40_000, 40_000, 40_000)));
        Catalog catalog = measured.with(fusion.withMeasurements(fusion.accuracy(), slow));
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<String> served = List.of("fusion-cnn", "cnn-small");
        try (Admin admin = kafka.admin()) {
            new TopicLayout(1, (short) 1, served).create(admin);
        }
        Map<String, float[]> images = new HashMap<>();
        // queued before the executor starts, so its first poll finds them all
        try (KafkaProducer<String, InferenceTask> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrap()), new StringSerializer(), serdes.<InferenceTask>serializer())) {
            long deadline = System.currentTimeMillis() + 60_000;
            for (int i = 0; i < 96; i++) {
                String id = "replan-" + i;
                float[] px = image(i + 5);
                images.put(id, px);
                p.send(new ProducerRecord<>(Topics.DEFAULT.tasks("fusion-cnn"), id, InferenceTask.newBuilder().setRequestId(id)
                        .setVariant("fusion-cnn").setTask("fashion-mnist-spoken")
                        .setInput(Tensors.fp32("image", new long[] {1, 1, 28, 28}, px))
                        .setExtraInputs(List.of(Tensors.fp32("audio", new long[] {1, 1, 40, 64}, TaskInputsTest.audio(i))))
                        .setCreatedAtMs(System.currentTimeMillis()).setDeadlineMs(deadline)
                        .setEnqueuedAtMs(System.currentTimeMillis()).setFallbacks(List.of("cnn-small")).build()));
            }
        }
        ExecutorConfig config = ExecutorConfig.defaults("host-replan-it").withDevice(Device.CPU).withThreads(1)
                .withDelivery(DeliveryMode.AT_LEAST_ONCE);
        try (ExecutorHost host = ExecutorHost.start(KafkaSettings.of(kafka.bootstrap()), serdes, catalog, DIR, served,
                config, registry)) {
            Map<String, List<ConsumerRecord<String, ModelOutput>>> records = readAllRecords(kafka.bootstrap(), serdes,
                    images.keySet(), 120_000);
            Map<String, List<ModelOutput>> outputs = new HashMap<>();
            records.forEach((id, rs) -> outputs.put(id, rs.stream().map(ConsumerRecord::value).toList()));
            assertEquals(images.keySet(), outputs.keySet(), "every request answered");
            assertMovesLeftBeforeTheBatchRan(records);
            int moved = 0;
            try (OnnxModel cnn = OnnxModel.load(catalog.variant("cnn-small").orElseThrow().resolve(DIR), Device.CPU, 1, 784, 10)) {
                for (Map.Entry<String, List<ModelOutput>> e : outputs.entrySet()) {
                    List<ModelOutput> os = e.getValue();
                    List<ModelOutput> ok = os.stream().filter(o -> o.getStatus() == OutputStatus.OK).toList();
                    assertEquals(1, ok.size(), e.getKey() + ": exactly one answer, got " + os);
                    if (os.stream().noneMatch(o -> o.getStatus() == OutputStatus.MOVED)) {
                        assertEquals(List.of("fusion-cnn"), os.stream().map(ModelOutput::getVariant).toList(), e.getKey());
                        continue;
                    }
                    moved++;
                    ModelOutput notice = os.stream().filter(o -> o.getStatus() == OutputStatus.MOVED).findFirst().orElseThrow();
                    assertEquals("fusion-cnn", notice.getVariant());
                    assertEquals("cnn-small", notice.getEscalatedTo());
                    assertTrue(notice.getReason().contains("moved to cnn-small"), notice.getReason());
                    ModelOutput answer = ok.get(0);
                    assertEquals("cnn-small", answer.getVariant(), e.getKey());
                    float[] probs = Softmax.probabilities(cnn.run(images.get(e.getKey()), 1), 0, 10);
                    assertEquals(Softmax.argmax(probs, 0, 10), answer.getLabel(), e.getKey() + ": cnn-small's own answer");
                }
            }
            assertTrue(moved >= 1, "tasks past the first predicted batch move");
            assertTrue(moved <= 64, "the first batch is predicted in time and stays: " + moved);
            assertEquals(moved, registry.get("sluice.executor.replanned").tags("variant", "fusion-cnn").counter().count(), 0.0);
            System.out.printf("ExecutorHostIT re-planning: %d of %d tasks moved from fusion-cnn to cnn-small%n", moved,
                    images.size());
        }
    }

    /**
     * The tasks the executor's first turn moved left before that turn's batch ran: a MOVED notice
     * is stamped by the producer as it is sent, and some were stamped at least the first batch's
     * compute time before that batch completed (its outputs' {@code completed_at_ms}). They used to
     * leave with the batch's answers, after it ran.
     */
    private static void assertMovesLeftBeforeTheBatchRan(Map<String, List<ConsumerRecord<String, ModelOutput>>> records) {
        List<ConsumerRecord<String, ModelOutput>> all = records.values().stream().flatMap(List::stream).toList();
        ModelOutput first = all.stream().map(ConsumerRecord::value)
                .filter(o -> o.getStatus() == OutputStatus.OK && o.getVariant().equals("fusion-cnn"))
                .min(java.util.Comparator.comparingLong(ModelOutput::getCompletedAtMs)).orElseThrow();
        long computeMs = (long) first.getComputeMs();
        assertTrue(computeMs >= 1, "the first batch runs long enough to tell before from after: " + first.getComputeMs());
        List<Long> movedAt = all.stream().filter(r -> r.value().getStatus() == OutputStatus.MOVED)
                .map(ConsumerRecord::timestamp).sorted().toList();
        assertTrue(movedAt.stream().anyMatch(t -> t + computeMs <= first.getCompletedAtMs()), "moved tasks leave before the "
                + "batch they were queued behind runs: moves stamped " + movedAt + ", the first batch completed at "
                + first.getCompletedAtMs() + " after " + first.getComputeMs() + " ms of compute");
    }

    /** Every output for {@code ids} on the partials topic, by request id, once each has an OK one. */
    private static Map<String, List<ConsumerRecord<String, ModelOutput>>> readAllRecords(String bootstrap,
            SluiceSerdes serdes, Set<String> ids, long timeoutMs) {
        Map<String, List<ConsumerRecord<String, ModelOutput>>> out = new HashMap<>();
        Set<String> answered = new java.util.HashSet<>();
        try (KafkaConsumer<String, ModelOutput> consumer = partialsFromTheStart(bootstrap, serdes)) {
            long until = System.currentTimeMillis() + timeoutMs;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(until, quietUntil)) {
                for (ConsumerRecord<String, ModelOutput> r : consumer.poll(Duration.ofMillis(100))) {
                    if (ids.contains(r.value().getRequestId())) {
                        out.computeIfAbsent(r.value().getRequestId(), k -> new java.util.ArrayList<>()).add(r);
                        if (r.value().getStatus() == OutputStatus.OK) {
                            answered.add(r.value().getRequestId());
                        }
                    }
                }
                if (answered.size() == ids.size() && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 1_000; // any second answer would show up by then
                }
            }
        }
        return out;
    }

    /** An executor host serving {@code variant} on one CPU thread, its one-partition task topic made, once it joined its group. */
    private static ExecutorHost startOnOneThread(String variant, String executorId, SluiceSerdes serdes,
            SimpleMeterRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicLayout(1, (short) 1, List.of(variant)).create(admin);
        }
        ExecutorConfig config = ExecutorConfig.defaults(executorId).withDevice(Device.CPU).withThreads(1);
        ExecutorHost host = ExecutorHost.start(KafkaSettings.of(kafka.bootstrap()), serdes,
                Catalog.load(DIR.resolve("catalog.yaml")), DIR, List.of(variant), config, registry);
        long until = System.currentTimeMillis() + 60_000;
        while (!host.ready() && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        if (!host.ready()) {
            host.close();
        }
        assertTrue(host.ready(), "consumer joined its group");
        return host;
    }

    /** A one-image task of the fashion-mnist task for {@code variant}, sent now. */
    private static InferenceTask imageTask(String id, String variant, int image, long deadlineMs) {
        return InferenceTask.newBuilder().setRequestId(id).setVariant(variant).setTask("fashion-mnist")
                .setInput(Tensors.fp32("input", new long[] {1, 1, 28, 28}, image(image)))
                .setCreatedAtMs(System.currentTimeMillis()).setDeadlineMs(deadlineMs)
                .setEnqueuedAtMs(System.currentTimeMillis()).build();
    }

    private static float[] image(int seed) {
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = ((i * (seed + 3) + seed * 31) % 256) / 255f;
        }
        return px;
    }

    /** The outputs for {@code ids} on the partials topic (other tests' outputs are passed over). */
    private static Map<String, ModelOutput> read(String bootstrap, SluiceSerdes serdes, Set<String> ids, long timeoutMs) {
        Map<String, ModelOutput> out = new HashMap<>();
        try (KafkaConsumer<String, ModelOutput> consumer = partialsFromTheStart(bootstrap, serdes)) {
            long until = System.currentTimeMillis() + timeoutMs;
            while (out.size() < ids.size() && System.currentTimeMillis() < until) {
                for (ConsumerRecord<String, ModelOutput> r : consumer.poll(Duration.ofMillis(100))) {
                    if (ids.contains(r.value().getRequestId())) {
                        out.put(r.value().getRequestId(), r.value());
                    }
                }
            }
        }
        return out;
    }

    /** A read-committed consumer of every partition of the partials topic, at its start. */
    private static KafkaConsumer<String, ModelOutput> partialsFromTheStart(String bootstrap, SluiceSerdes serdes) {
        return TopicFollower.committedConsumer(KafkaSettings.of(bootstrap), Topics.DEFAULT.partials(),
                serdes.<ModelOutput>deserializer(), TopicFollower.Start.BEGINNING);
    }
}
