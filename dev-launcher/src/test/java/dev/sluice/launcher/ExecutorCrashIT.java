package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.common.TopicLayout;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.executor.VariantExecutor;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once across a crash: an executor in its own JVM is killed with SIGKILL while it works
 * through a backlog, a replacement with the same id takes over, and every task's output appears
 * exactly once on sluice.partials (read committed).
 *
 * <p>The tasks carry three priorities and the variant has three priority levels, so tasks of
 * one partition finish out of order: the committed position is the oldest unfinished task and
 * the finished ones above it travel in the offset metadata, which the replacement must honour.
 */
class ExecutorCrashIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final int LEVELS = 3;
    /** Request id to partition@offset of its task, for the failure message. */
    private static final Map<String, String> WHERE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int TASKS = 3000;

    @Test
    void everyTaskOutputAppearsExactlyOnceAcrossASigkill() throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        // the most expensive variant: batches take long enough for the kill to land mid-batch
        Variant slowest = catalog.variants().stream().max(java.util.Comparator.comparingDouble(v -> v.profile().p50Ms(1)))
                .orElseThrow();
        // The same variant with priority levels, in a catalog of its own (the model file by absolute
        // path). A max batch of 6 does not divide the 64 records of a poll: each loop leaves a few
        // tasks behind, the lowest priority ones, while later higher-priority tasks of the same
        // partitions finish, so completions are out of order across commits.
        Variant heavy = new Variant(slowest.id(), slowest.task(), slowest.modalities(),
                slowest.resolve(CATALOG.toAbsolutePath().getParent()).toString(), slowest.input(), slowest.output(),
                slowest.preprocessing(), slowest.accuracy(), slowest.pythonAccuracy(), slowest.profile(),
                new BatchingConfig(6, slowest.batching().maxDelayMs(), List.of(), LEVELS, null));
        Path catalogFile = Path.of("target", "executor-crash-catalog.yaml").toAbsolutePath();
        new Catalog(List.of(heavy)).save(catalogFile, "# ExecutorCrashIT: the slowest variant, with priority levels\n");
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        FashionMnist test = FashionMnist.test();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = kafka.admin()) {
                new TopicLayout(4, (short) 1, List.of(heavy.id())).create(admin);
            }
            long deadline = System.currentTimeMillis() + 600_000;
            // one batch in flight per partition: a fresh topic's first produce requests can meet
            // NOT_LEADER_OR_FOLLOWER, and a retried first batch overtaken by later ones loops on
            // OutOfOrderSequenceException (seen on a loaded 2-core machine)
            try (KafkaProducer<String, InferenceTask> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrap(),
                    "acks", "all", "max.in.flight.requests.per.connection", 1),
                    new StringSerializer(), serdes.<InferenceTask>serializer())) {
                for (int i = 0; i < TASKS; i++) {
                    String id = "crash-" + i;
                    p.send(new ProducerRecord<>(Topics.DEFAULT.tasks(heavy.id()), id, InferenceTask.newBuilder().setRequestId(id)
                            .setVariant(heavy.id()).setTask(heavy.task())
                            .setInput(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[i % test.size()]))
                            .setCreatedAtMs(System.currentTimeMillis()).setDeadlineMs(deadline).setPriority(i % LEVELS)
                            .setEnqueuedAtMs(System.currentTimeMillis()).build()),
                            (md, ex) -> WHERE.put(id, md == null ? "?" : md.partition() + "@" + md.offset()));
                }
            }

            Process first = startExecutor(kafka.bootstrap(), catalogFile, heavy.id());
            try (KafkaConsumer<String, ModelOutput> outputs = committedReader(kafka.bootstrap(), serdes)) {
                Map<String, Integer> seen = new HashMap<>();
                List<ModelOutput> all = new ArrayList<>();
                // let the first executor commit part of the backlog, then kill it without warning
                readUntil(outputs, all, seen, TASKS / 5, 120_000);
                assertTrue(seen.size() < TASKS, "the executor finished before it could be killed");
                first.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no transaction abort
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
                int beforeKill = seen.size();

                // out-of-order completion did happen: some committed position carries finished offsets above it
                try (Admin admin = kafka.admin()) {
                    var committed = admin.listConsumerGroupOffsets(VariantExecutor.groupId(Topics.DEFAULT, heavy.id()))
                            .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                    assertTrue(committed.values().stream().anyMatch(o -> o != null && o.metadata().startsWith("s1:")),
                            "no commit recorded finished offsets above its position: " + committed);
                }
                Process second = startExecutor(kafka.bootstrap(), catalogFile, heavy.id());
                try {
                    // generous: on a loaded 2-core machine the replacement has served as slowly as 10 tasks/s
                    readUntil(outputs, all, seen, TASKS, 420_000);
                    // anything duplicated would show up shortly after the last first copy
                    readUntil(outputs, all, seen, Integer.MAX_VALUE, 3_000);
                } finally {
                    second.destroy();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
                assertTrue(beforeKill > 0);
                List<String> missing = new ArrayList<>();
                for (int i = 0; i < TASKS && missing.size() < 20; i++) {
                    if (!seen.containsKey("crash-" + i)) {
                        missing.add("crash-" + i + " (" + WHERE.get("crash-" + i) + ", priority " + (i % LEVELS) + ")");
                    }
                }
                assertEquals(TASKS, seen.size(), "every task answered; missing " + missing);
                seen.forEach((id, n) -> assertEquals(1, n, "outputs for " + id));
                assertEquals(TASKS, all.size(), "no duplicate outputs");
                assertTrue(all.stream().allMatch(o -> o.getStatus() == OutputStatus.OK));
            }
        }
    }

    private static Process startExecutor(String bootstrap, Path catalog, String variant) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "dev.sluice.launcher.Main", "executor",
                "--bootstrap", bootstrap, "--catalog", catalog.toString(), "--variants", variant, "--id", "crash-test",
                "--device", "cpu", "--threads", "1", "--metrics-port", "0",
                // transactional executors: the mode whose guarantee this test checks (the default mode
                // leaves deduplication to the aggregator, so a killed executor may repeat outputs)
                "--delivery", "exactly-once");
        pb.redirectErrorStream(true).redirectOutput(new File("target/executor-crash-" + System.nanoTime() + ".log"));
        return pb.start();
    }

    private static KafkaConsumer<String, ModelOutput> committedReader(String bootstrap, SluiceSerdes serdes) {
        return TopicFollower.committedConsumer(KafkaSettings.of(bootstrap), Topics.DEFAULT.partials(),
                serdes.<ModelOutput>deserializer(), TopicFollower.Start.BEGINNING);
    }

    private static void readUntil(KafkaConsumer<String, ModelOutput> consumer, List<ModelOutput> all,
            Map<String, Integer> seen, int distinct, long timeoutMs) {
        long until = System.currentTimeMillis() + timeoutMs;
        while (seen.size() < distinct && System.currentTimeMillis() < until) {
            for (ConsumerRecord<String, ModelOutput> r : consumer.poll(Duration.ofMillis(100))) {
                all.add(r.value());
                seen.merge(r.value().getRequestId(), 1, Integer::sum);
            }
        }
    }
}
