package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceResult;
import dev.sluice.common.DeliveryMode;
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.executor.runtime.Softmax;
import dev.sluice.launcher.BadInputCorpus.Case;
import dev.sluice.launcher.BadInputCorpus.Expect;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus ({@link BadInputCorpus}: over 1,000 generated cases in both encodings plus
 * the hand-picked ones of issue 16, from a fixed seed) written in one batch, with valid requests
 * interleaved, through the whole pipeline on one real broker. Every case that must be refused
 * gets an INVALID result or a dead letter, with a reason; every blind mutation gets exactly one
 * outcome; every valid request is answered exactly once, OK, with the label the model gives its
 * image when run directly; nothing lands under an id or an offset that is not a case's.
 */
class BadInputCorpusIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final long SEED = Long.getLong("sluice.corpus.seed", 20261206L);
    private static final int AVRO = 640;
    private static final int JSON = 480;
    private static final int VALID = 200;
    private static final long DEADLINE_MS = 90_000;

    /** One thing that became of a case: a final result's status, or DLQ. */
    record Outcome(String kind, String reason, int label) {}

    @Test
    void everyBadRecordIsRefusedWithAReasonAndValidTrafficIsAnsweredOnceAndRight() throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        Variant linear = catalog.variant("linear").orElseThrow();
        Catalog served = new Catalog(List.of(linear));
        Path catalogDir = CATALOG.toAbsolutePath().getParent();
        FashionMnist test = FashionMnist.test();
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        List<Case> cases = new BadInputCorpus(SEED, serdes, test.images(), System.currentTimeMillis(), DEADLINE_MS)
                .generate(AVRO, JSON, VALID).cases();
        long generated = cases.stream().filter(c -> c.expect() != Expect.VALID).count();
        System.out.printf("corpus: seed %d, %d bad cases (%d Avro, %d JSON, %d hand-picked), %d valid requests interleaved%n",
                SEED, generated, AVRO, JSON, generated - AVRO - JSON, VALID);
        assertTrue(generated >= 1_000);

        Map<Integer, Integer> expectedLabel = new HashMap<>();
        try (OnnxModel model = OnnxModel.load(linear, catalogDir, Device.CPU, 1)) {
            for (Case c : cases) {
                if (c.expect() == Expect.VALID) {
                    expectedLabel.computeIfAbsent(c.image(), i -> Softmax.argmax(model.run(test.images()[i], 1), 0, 10));
                }
            }
        }

        try (SluiceStack stack = SluiceStack.start(null, null, serdes, served, catalogDir,
                new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE_RESULTS, 20, "infaas", -1, Device.CPU, 1, 2),
                new SimpleMeterRegistry())) {
            Map<String, Object> p = stack.kafka().clientConfig();
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
            Map<String, Case> byCoordinates = new HashMap<>();
            Map<String, List<Case>> byId = new HashMap<>();
            long t0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (Case c : cases) {
                    sent.add(producer.send(new ProducerRecord<>(c.topic(), c.key(), c.value())));
                }
                producer.flush();
                for (int i = 0; i < cases.size(); i++) {
                    RecordMetadata m = sent.get(i).get(60, TimeUnit.SECONDS);
                    byCoordinates.put(m.topic() + "-" + m.partition() + "@" + m.offset(), cases.get(i));
                    if (cases.get(i).id() != null) {
                        byId.computeIfAbsent(cases.get(i).id(), k -> new ArrayList<>()).add(cases.get(i));
                    }
                }
            }
            System.out.printf("corpus: %d records written in %d ms%n", cases.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

            Map<Case, List<Outcome>> outcomes = new HashMap<>();
            List<String> unattributed = new ArrayList<>();
            int expectedOutcomes = cases.size(); // each case one, the duplicate pair two under one id (one each)
            Map<String, Object> c = stack.kafka().clientConfig();
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
            var resultReader = serdes.<InferenceResult>deserializer();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (String topic : List.of(Topics.DEFAULT.results(), Topics.DEFAULT.dlq())) {
                    consumer.partitionsFor(topic, Duration.ofSeconds(10)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                }
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                long until = System.currentTimeMillis() + DEADLINE_MS + 30_000;
                long settledAt = Long.MAX_VALUE;
                int seen = 0;
                while (System.currentTimeMillis() < until && (settledAt == Long.MAX_VALUE || System.currentTimeMillis() < settledAt + 3_000)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(Topics.DEFAULT.dlq())) {
                            String origin = header(r, Topics.ORIGIN_HEADER);
                            String at = origin != null ? origin : header(r, Topics.DLQ_SOURCE_TOPIC_HEADER) + "-"
                                    + header(r, Topics.DLQ_SOURCE_PARTITION_HEADER) + "@" + header(r, Topics.DLQ_SOURCE_OFFSET_HEADER);
                            Case k = byCoordinates.get(at);
                            if (k == null) {
                                unattributed.add("dead letter from " + at + ": " + header(r, Topics.DLQ_REASON_HEADER));
                                continue;
                            }
                            outcomes.computeIfAbsent(k, x -> new ArrayList<>()).add(new Outcome("DLQ", header(r, Topics.DLQ_REASON_HEADER), -1));
                        } else {
                            InferenceResult res = resultReader.deserialize(Topics.DEFAULT.results(), r.value());
                            if (!res.getFinal$()) {
                                continue;
                            }
                            List<Case> k = byId.get(res.getRequestId());
                            if (k == null) {
                                unattributed.add("result for unknown id " + res.getRequestId() + ": " + res.getStatus());
                                continue;
                            }
                            // a re-used id: its answers go to its records in turn
                            Case target = k.stream().filter(x -> !outcomes.containsKey(x)).findFirst().orElse(k.get(0));
                            outcomes.computeIfAbsent(target, x -> new ArrayList<>())
                                    .add(new Outcome(res.getStatus().name(), res.getReason(), res.getLabel()));
                        }
                        seen++;
                    }
                    if (seen >= expectedOutcomes && settledAt == Long.MAX_VALUE) {
                        settledAt = System.currentTimeMillis(); // then 3 s more, for anything answered twice
                    }
                }
            }
            System.out.printf("corpus: every outcome read %d ms after the first record was written%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            report(cases, outcomes);

            List<String> failures = new ArrayList<>(unattributed);
            int validRight = 0;
            for (Case k : cases) {
                List<Outcome> o = outcomes.getOrDefault(k, List.of());
                String what = k.kind() + " #" + k.n() + " (" + k.topic() + ")";
                switch (k.expect()) {
                    case REFUSED -> {
                        if (o.size() != 1 || !(o.get(0).kind().equals("INVALID") || o.get(0).kind().equals("DLQ"))
                                || o.get(0).reason() == null || o.get(0).reason().isBlank()) {
                            failures.add(what + " must be refused once with a reason, got " + o);
                        }
                    }
                    case ANY -> {
                        if (o.size() != 1 || (!o.get(0).kind().equals("OK") && (o.get(0).reason() == null || o.get(0).reason().isBlank()))) {
                            failures.add(what + " must get exactly one outcome (with a reason unless OK), got " + o);
                        }
                    }
                    case VALID -> {
                        if (o.size() != 1 || !o.get(0).kind().equals("OK") || o.get(0).label() != expectedLabel.get(k.image())) {
                            failures.add(what + " must be answered once OK with label " + expectedLabel.get(k.image()) + ", got " + o);
                        } else {
                            validRight++;
                        }
                    }
                    case DUPLICATE -> {
                        if (o.size() != 1) {
                            failures.add(what + " (a re-used id) must get one answer of its own, got " + o);
                        }
                    }
                }
            }
            List<String> dupKinds = cases.stream().filter(k -> k.expect() == Expect.DUPLICATE)
                    .flatMap(k -> outcomes.getOrDefault(k, List.of()).stream()).map(Outcome::kind).sorted().toList();
            if (!dupKinds.equals(List.of("INVALID", "OK"))) {
                failures.add("a re-used id must be answered OK once and INVALID (duplicate) once, got " + dupKinds);
            }
            System.out.printf("corpus: %d of %d valid requests answered exactly once, OK, with the model's own label%n",
                    validRight, VALID);
            failures.stream().limit(40).forEach(f -> System.out.println("corpus FAILURE: " + f));
            assertEquals(List.of(), failures, failures.size() + " failures");
        }
    }

    private static void report(List<Case> cases, Map<Case, List<Outcome>> outcomes) {
        Map<String, Map<String, Integer>> table = new TreeMap<>();
        Map<String, Integer> total = new TreeMap<>();
        for (Case k : cases) {
            String group = k.kind().contains(":") ? k.kind().substring(0, k.kind().indexOf(':')) : k.kind();
            group = group + (k.expect() == Expect.ANY ? " (blind flips)" : "");
            List<Outcome> o = outcomes.getOrDefault(k, List.of());
            String outcome = o.isEmpty() ? "none" : o.size() > 1 ? "several" : o.get(0).kind();
            table.computeIfAbsent(group, g -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
            total.merge(outcome, 1, Integer::sum);
        }
        System.out.println("corpus outcomes by kind:");
        table.forEach((g, m) -> System.out.printf("  %-28s %s%n", g, m));
        System.out.printf("  %-28s %s%n", "all", total);
        // a sample reason of each kind of refusal, to read
        Map<String, String> sample = new TreeMap<>();
        for (Case k : cases) {
            List<Outcome> o = outcomes.getOrDefault(k, List.of());
            if (o.size() == 1 && o.get(0).reason() != null && k.expect() != Expect.VALID) {
                sample.putIfAbsent(k.kind(), o.get(0).kind() + ": " + o.get(0).reason());
            }
        }
        System.out.println("corpus: one reason per kind:");
        sample.forEach((kind, r) -> System.out.printf("  %-48s %s%n", kind.length() > 48 ? kind.substring(0, 48) : kind,
                r.length() > 160 ? r.substring(0, 160) + "..." : r));
    }

    private static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
