package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.aggregator.AggregatorApp;
import dev.sluice.aggregator.AggregatorConfig;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.catalog.CatalogPublisher;
import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicLayout;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.ExecutorHost;
import dev.sluice.executor.ModelResidency;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.CatalogJson;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.selector.SelectorApp;
import dev.sluice.selector.SelectorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The catalog changes under a running pipeline, nothing restarted: a variant published to
 * sluice.catalog (and its executor started) serves within seconds, by the default policy for
 * floors only it reaches and when a request pins it; removed, it takes no new requests while the
 * ones already sent to it are answered.
 */
class LiveCatalogIT {
    private static final Path CATALOG = Path.of("../models/catalog.yaml");
    private static final String ADDED = "cnn-small";

    @Test
    void aPublishedVariantServesWithinSecondsAndARemovedOneTakesNoNewRequests() throws Exception {
        Catalog full = Catalog.load(CATALOG);
        Path dir = CATALOG.toAbsolutePath().getParent();
        Variant added = full.variant(ADDED).orElseThrow();
        List<Variant> base = full.variants().stream().filter(v -> List.of("linear", "mlp").contains(v.id())).toList();
        double floor = added.accuracy(); // above linear's and mlp's: only the added variant reaches it
        assertTrue(base.stream().allMatch(v -> v.accuracy() < floor), "the added variant must be the only one to reach " + floor);
        Catalog start = CatalogJson.assemble(base, full.ensembles(), full.cascades());
        SluiceSerdes serdes = SluiceSerdes.fingerprint();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FashionMnist test = FashionMnist.test();
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            try (Admin admin = broker.admin()) {
                new TopicLayout(2, (short) 1, List.of("linear", "mlp", ADDED)).create(admin);
            }
            CatalogPublisher publisher = new CatalogPublisher(kafka, serdes);
            publisher.publish(start, true, System.currentTimeMillis());
            List<AutoCloseable> stack = new ArrayList<>();
            try {
                LiveCatalog live = LiveCatalog.follow(kafka, serdes, full, Duration.ofSeconds(15));
                stack.add(live);
                assertEquals(start, live.get(), "the published catalog, not the fallback");
                LearningVoters learning = new LearningVoters(kafka, serdes, live);
                stack.add(learning);
                AggregatorApp aggregator = AggregatorApp.start(kafka, serdes, DeliveryMode.EXACTLY_ONCE_RESULTS,
                        AggregatorConfig.defaults().withCommitInterval(Duration.ofMillis(20)), registry,
                        java.time.InstantSource.system(), learning.voters);
                stack.add(aggregator);
                ExecutorConfig exec = ExecutorConfig.defaults("it-live-0").withDelivery(DeliveryMode.EXACTLY_ONCE_RESULTS)
                        .withDevice(Device.CPU).withThreads(1);
                ExecutorHost base0 = ExecutorHost.start(kafka, serdes, live, dir, List.of("linear", "mlp"), exec,
                        ModelResidency.defaults(), registry);
                stack.add(base0);
                SelectorApp selector = SelectorApp.start(kafka, serdes, live,
                        SelectorConfig.defaults().withPolicy("infaas").withOverheadMs(60), DeliveryMode.EXACTLY_ONCE_RESULTS,
                        20, registry);
                stack.add(selector);
                await(() -> selector.state() == KafkaStreams.State.RUNNING && aggregator.state() == KafkaStreams.State.RUNNING
                        && base0.ready(), 90, "pipeline running");

                try (SluiceClient client = SluiceClient.connect(kafka, serdes)) {
                    // before: nothing reaches the floor, and the pinned variant is unknown
                    InferenceResult before = ask(client, test, "before-floor", floor, null);
                    assertEquals(ResultStatus.REJECTED, before.getStatus(), before.toString());
                    InferenceResult pinnedBefore = ask(client, test, "before-pinned", 0, "fixed:" + ADDED);
                    assertEquals(ResultStatus.REJECTED, pinnedBefore.getStatus(), pinnedBefore.toString());
                    assertTrue(String.valueOf(pinnedBefore.getReason()).contains(ADDED), pinnedBefore.toString());

                    // publish, then start its executor: served within seconds, nothing restarted
                    long published = System.currentTimeMillis();
                    publisher.publish(new Catalog(List.of(added)), false, published);
                    // what `./sluice executor` does at start: read the published catalog to its end first
                    await(() -> live.get().variant(ADDED).isPresent(), 10, "the publish reaches this process's follower");
                    ExecutorHost addedHost = ExecutorHost.start(kafka, serdes, live, dir, List.of(ADDED),
                            ExecutorConfig.defaults("it-live-1").withDelivery(DeliveryMode.EXACTLY_ONCE_RESULTS).withDevice(Device.CPU).withThreads(1), ModelResidency.defaults(), registry);
                    stack.add(addedHost);
                    InferenceResult served = null;
                    for (int i = 0; served == null || served.getStatus() != ResultStatus.OK; i++) {
                        assertTrue(System.currentTimeMillis() - published < 30_000, "not served within 30 s: " + served);
                        served = ask(client, test, "after-" + i, floor, null);
                    }
                    double seconds = (System.currentTimeMillis() - published) / 1000.0;
                    System.out.printf("published %s: first answer by it %.2f s later%n", ADDED, seconds);
                    assertEquals(List.of(ADDED), served.getVariants());
                    InferenceResult pinned = ask(client, test, "after-pinned", 0, "fixed:" + ADDED);
                    assertEquals(ResultStatus.OK, pinned.getStatus(), pinned.toString());

                    // a burst to it, then its removal: every request of the burst is answered
                    List<CompletableFuture<InferenceResult>> burst = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        burst.add(client.submit(request(test, "burst-" + i, 0, "fixed:" + ADDED)));
                    }
                    client.flush();
                    long removed = System.currentTimeMillis();
                    publisher.remove(List.of(ADDED));
                    await(() -> live.get().variant(ADDED).isEmpty(), 10, "removal followed");
                    int ok = 0;
                    for (CompletableFuture<InferenceResult> f : burst) {
                        InferenceResult r = f.get(60, TimeUnit.SECONDS);
                        assertTrue(r.getStatus() == ResultStatus.OK || r.getStatus() == ResultStatus.REJECTED, r.toString());
                        ok += r.getStatus() == ResultStatus.OK ? 1 : 0;
                    }
                    System.out.printf("burst of %d at removal: %d served, %d rejected after the removal%n", burst.size(), ok,
                            burst.size() - ok);
                    InferenceResult afterRemoval = ask(client, test, "removed-pinned", 0, "fixed:" + ADDED);
                    assertEquals(ResultStatus.REJECTED, afterRemoval.getStatus(), afterRemoval.toString());
                    System.out.printf("removal: new requests rejected %.2f s after it%n", (System.currentTimeMillis() - removed) / 1000.0);
                    assertEquals(ResultStatus.OK, ask(client, test, "still-served", 0, null).getStatus(), "the others still serve");
                }
            } finally {
                for (int i = stack.size() - 1; i >= 0; i--) {
                    stack.get(i).close();
                }
            }
        }
    }

    private static InferenceRequest request(FashionMnist test, String id, double floor, String policy) {
        long now = System.currentTimeMillis();
        return InferenceRequest.newBuilder().setId(id).setTask("fashion-mnist").setCreatedAtMs(now).setDeadlineMs(now + 5_000)
                .setMinAccuracy(floor).setPolicy(policy)
                .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[Math.abs(id.hashCode()) % test.size()])))
                .build();
    }

    private static InferenceResult ask(SluiceClient client, FashionMnist test, String id, double floor, String policy) throws Exception {
        CompletableFuture<InferenceResult> f = client.submit(request(test, id, floor, policy));
        client.flush();
        return f.get(30, TimeUnit.SECONDS);
    }

    private static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long until = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < until, "not within " + seconds + " s: " + what);
            Thread.sleep(50);
        }
    }
}
