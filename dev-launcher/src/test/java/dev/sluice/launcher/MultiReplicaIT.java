package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.catalog.CatalogPublisher;
import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.common.TopicLayout;
import dev.sluice.decision.policy.ClipperBanditPolicy;
import dev.sluice.embedded.EmbeddedKafka;
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
import dev.sluice.schemas.Topics;
import dev.sluice.selector.SelectorApp;
import dev.sluice.selector.SelectorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Every component as several replicas on one real broker: two selectors and two aggregators
 * (each pair one Streams application), three executor replicas of vgg and one of every other
 * variant, 4 partitions. 3,000 requests, half pinned to vgg and half left to the Exp3 bandit, each
 * answered and given ground truth. Mid-run one vgg replica stops: both selectors' views go from 3
 * live vgg replicas to 2 within the staleness window, its partitions move, nothing is lost. Every
 * request has exactly one final result; every vgg replica served some of them; each bandit
 * feedback is learned from once, by the selector replica whose draw it was.
 */
class MultiReplicaIT {
    private static final Path CATALOG = Path.of("../models/catalog.yaml");
    private static final int REQUESTS = 3000;
    private static final double RATE = 120;
    private static final long DEADLINE_MS = 30_000;

    @Test
    void everyComponentAsSeveralReplicas() throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        Path dir = CATALOG.toAbsolutePath().getParent();
        List<String> variants = catalog.variants().stream().filter(Variant::isProfiled).map(Variant::id).toList();
        List<String> others = variants.stream().filter(v -> !v.equals("vgg")).toList();
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        FashionMnist test = FashionMnist.test();
        Path stateRoot = Files.createTempDirectory("multi-replica-it");
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            try (Admin admin = broker.admin()) {
                new TopicLayout(4, (short) 1, variants).create(admin);
            }
            new CatalogPublisher(kafka, serdes).publish(catalog, true, System.currentTimeMillis());
            List<AutoCloseable> stack = new ArrayList<>();
            try {
                LiveCatalog live = LiveCatalog.follow(kafka, serdes, catalog, Duration.ofSeconds(15));
                stack.add(live);
                List<AggregatorApp> aggregators = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    LearningVoters learning = new LearningVoters(kafka, serdes, live);
                    stack.add(learning);
                    AggregatorApp a = AggregatorApp.start(kafka, serdes, DeliveryMode.EXACTLY_ONCE_RESULTS,
                            AggregatorConfig.defaults().withCommitInterval(Duration.ofMillis(20))
                                    .withStateDir(stateRoot.resolve("aggregator-" + i)),
                            new SimpleMeterRegistry(), java.time.InstantSource.system(), learning.voters);
                    stack.add(a);
                    aggregators.add(a);
                }
                List<ExecutorHost> vggReplicas = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    ExecutorHost h = ExecutorHost.start(kafka, serdes, live, dir, List.of("vgg"), executor("vgg-" + i),
                            ModelResidency.defaults(), new SimpleMeterRegistry());
                    stack.add(h);
                    vggReplicas.add(h);
                }
                ExecutorHost rest = ExecutorHost.start(kafka, serdes, live, dir, others, executor("rest-0"),
                        ModelResidency.defaults(), new SimpleMeterRegistry());
                stack.add(rest);
                List<SelectorApp> selectors = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    SelectorApp s = SelectorApp.start(kafka, serdes, live,
                            SelectorConfig.defaults().withPolicy("clipper-bandit").withOverheadMs(60).withInstanceSeed(),
                            DeliveryMode.EXACTLY_ONCE_RESULTS, 20, new SimpleMeterRegistry());
                    stack.add(s);
                    selectors.add(s);
                }
                await(() -> selectors.stream().allMatch(s -> s.state() == KafkaStreams.State.RUNNING)
                        && aggregators.stream().allMatch(a -> a.state() == KafkaStreams.State.RUNNING)
                        && vggReplicas.stream().allMatch(ExecutorHost::ready) && rest.ready(), 120, "every replica running");
                await(() -> selectors.stream().allMatch(s -> liveVgg(s) == 3), 10, "both selectors see 3 vgg replicas");

                Map<String, CompletableFuture<InferenceResult>> futures = new ConcurrentHashMap<>();
                AtomicInteger feedbackSent = new AtomicInteger();
                AtomicInteger banditFeedback = new AtomicInteger();
                try (SluiceClient client = SluiceClient.connect(kafka, serdes)) {
                    Thread sender = new Thread(() -> send(client, test, futures, feedbackSent, banditFeedback), "it-sender");
                    sender.start();
                    awaitAnswered(futures, REQUESTS / 3);
                    // one vgg replica stops mid-run: both views drop it within the staleness window
                    long stopped = System.currentTimeMillis();
                    vggReplicas.get(2).close();
                    stack.remove(vggReplicas.get(2));
                    long stale = selectors.get(0).load().staleAfterMs();
                    await(() -> selectors.stream().allMatch(s -> liveVgg(s) == 2), (int) (stale / 1000) + 3,
                            "both selectors see 2 vgg replicas");
                    System.out.printf("vgg replica stopped: both selectors saw 2 live vgg replicas %d ms later (staleness %d ms)%n",
                            System.currentTimeMillis() - stopped, stale);
                    sender.join();
                    CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
                    Map<String, Integer> statuses = new TreeMap<>();
                    futures.values().forEach(f -> statuses.merge(f.join().getStatus().toString(), 1, Integer::sum));
                    System.out.printf("client: %d results %s, %d duplicates, %d feedback sent%n", futures.size(), statuses,
                            client.duplicates(), feedbackSent.get());
                    assertEquals(Map.of("OK", REQUESTS), statuses, "every request answered OK under a 30 s deadline");
                    assertEquals(0, client.duplicates());
                }

                Map<String, Integer> finals = finalResultsPerRequest(kafka, serdes);
                assertEquals(REQUESTS, finals.size(), "a final result for every request");
                assertTrue(finals.values().stream().allMatch(n -> n == 1), "exactly one final result per request");
                Map<String, Integer> vggByReplica = vggOutputsByExecutor(kafka, serdes);
                System.out.printf("vgg outputs by executor replica: %s%n", vggByReplica);
                for (int i = 0; i < 3; i++) {
                    assertTrue(vggByReplica.getOrDefault("vgg-" + i, 0) > 0, "vgg-" + i + " served none: " + vggByReplica);
                }
                // each bandit feedback counted once, by the replica that drew it
                List<ClipperBanditPolicy> bandits = selectors.stream()
                        .map(s -> (ClipperBanditPolicy) s.policies().get("clipper-bandit")).toList();
                await(() -> bandits.stream().mapToLong(ClipperBanditPolicy::learnedFrom).sum() >= banditFeedback.get(), 30,
                        "bandit feedback learned from");
                System.out.printf("bandit feedback: %d sent; learned from %s (per selector replica)%n", banditFeedback.get(),
                        bandits.stream().map(ClipperBanditPolicy::learnedFrom).toList());
                assertEquals(banditFeedback.get(), bandits.stream().mapToLong(ClipperBanditPolicy::learnedFrom).sum(),
                        "each feedback learned from exactly once across the replicas");
                assertTrue(bandits.stream().allMatch(b -> b.learnedFrom() > 0), "both replicas drew and learned");
            } finally {
                for (int i = stack.size() - 1; i >= 0; i--) {
                    stack.get(i).close();
                }
            }
        }
    }

    private static ExecutorConfig executor(String id) {
        return ExecutorConfig.defaults(id).withDelivery(DeliveryMode.EXACTLY_ONCE_RESULTS).withDevice(Device.CPU).withThreads(1);
    }

    private static int liveVgg(SelectorApp s) {
        return s.load().replicas("vgg", System.currentTimeMillis()).size();
    }

    /** Paced; even requests pinned to vgg, odd ones the bandit's; ground truth for every answer. */
    private static void send(SluiceClient client, FashionMnist test, Map<String, CompletableFuture<InferenceResult>> futures,
            AtomicInteger feedbackSent, AtomicInteger banditFeedback) {
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) {
            long due = start + (long) (i / RATE * 1e9);
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 1_000_000));
            }
            long sentAt = System.currentTimeMillis();
            int sample = i % test.size();
            boolean pinned = i % 2 == 0;
            InferenceRequest req = InferenceRequest.newBuilder().setId("mr-" + i).setTask("fashion-mnist").setCreatedAtMs(sentAt)
                    .setDeadlineMs(sentAt + DEADLINE_MS).setPolicy(pinned ? "fixed:vgg" : null)
                    .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[sample])))
                    .build();
            CompletableFuture<InferenceResult> f = client.submit(req);
            futures.put(req.getId(), f);
            f.thenAccept(r -> {
                client.sendFeedback(r, test.labels()[sample]);
                feedbackSent.incrementAndGet();
                if (!pinned) {
                    banditFeedback.incrementAndGet();
                }
            });
        }
        client.flush();
    }

    private static void awaitAnswered(Map<String, CompletableFuture<InferenceResult>> futures, int n) throws InterruptedException {
        await(() -> futures.values().stream().filter(CompletableFuture::isDone).count() >= n, 120, n + " answers");
    }

    private static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long until = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < until, "not within " + seconds + " s: " + what);
            Thread.sleep(50);
        }
    }

    private static Map<String, Integer> finalResultsPerRequest(KafkaSettings kafka, SluiceSerdes serdes) {
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, InferenceResult> c = TopicFollower.committedConsumer(kafka, Topics.DEFAULT.results(),
                serdes.<InferenceResult>deserializer(), TopicFollower.Start.BEGINNING)) {
            drain(c, r -> {
                if (r.value() != null && r.value().getFinal$()) {
                    counts.merge(r.key(), 1, Integer::sum);
                }
            });
        }
        return counts;
    }

    private static Map<String, Integer> vggOutputsByExecutor(KafkaSettings kafka, SluiceSerdes serdes) {
        Map<String, Integer> counts = new TreeMap<>();
        try (KafkaConsumer<String, ModelOutput> c = TopicFollower.committedConsumer(kafka, Topics.DEFAULT.partials(),
                serdes.<ModelOutput>deserializer(), TopicFollower.Start.BEGINNING)) {
            drain(c, r -> {
                if (r.value() != null && r.value().getVariant().equals("vgg")) {
                    ModelOutput o = r.value();
                    counts.merge(o.getExecutorId(), 1, Integer::sum);
                }
            });
        }
        return counts;
    }

    /** Reads until 2 s pass with nothing new (at most 60 s). */
    private static <V> void drain(KafkaConsumer<String, V> c, java.util.function.Consumer<ConsumerRecord<String, V>> each) {
        long until = System.currentTimeMillis() + 60_000;
        long quietUntil = System.currentTimeMillis() + 2_000;
        while (System.currentTimeMillis() < Math.min(until, quietUntil)) {
            for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
                each.accept(r);
                quietUntil = System.currentTimeMillis() + 2_000;
            }
        }
    }
}
