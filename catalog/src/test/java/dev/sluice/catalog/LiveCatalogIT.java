package dev.sluice.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicLayout;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Publishing to and following the compacted catalog topic on a real broker. */
class LiveCatalogIT {
    private static final Catalog FULL = Catalog.load(Path.of("../models/catalog.yaml"));
    private static final Catalog SMALL = Catalog.load(Path.of("../models/catalog-multimodal.yaml"));
    private static final SluiceSerdes SERDES = SluiceSerdes.fingerprint();
    private static EmbeddedKafka kafka;
    private static KafkaSettings settings;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
        settings = KafkaSettings.of(kafka.bootstrap());
        try (Admin admin = kafka.admin()) {
            new TopicLayout(1, (short) 1, List.of()).create(admin);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void followersSeePublishesAddsAndRemovesWithinSeconds() throws Exception {
        CatalogPublisher publisher = new CatalogPublisher(settings, SERDES);
        try (LiveCatalog live = LiveCatalog.follow(settings, SERDES, SMALL, Duration.ofSeconds(20))) {
            assertFalse(live.isPublished(), "nothing published yet: the file is the catalog");
            assertEquals(SMALL, live.get());

            CatalogPublisher.Outcome first = publisher.publish(FULL, true, 1L);
            assertEquals(FULL.variants().size(), first.added().stream().filter(k -> k.startsWith("variant:")).count());
            await(() -> FULL.equals(live.get()), "the follower reads the published catalog");
            assertTrue(live.isPublished());

            // publishing the same catalog again writes nothing
            CatalogPublisher.Outcome again = publisher.publish(FULL, true, 2L);
            assertEquals(List.of(), again.added());
            assertEquals(List.of(), again.changed());
            assertEquals(List.of(), again.removed());

            // a catalog without cnn-small replaces the published one: it and its composites go
            List<Variant> without = FULL.variants().stream().filter(v -> !v.id().equals("cnn-small")).toList();
            Catalog smaller = dev.sluice.models.CatalogJson.assemble(without, FULL.ensembles(), FULL.cascades());
            CatalogPublisher.Outcome replaced = publisher.publish(smaller, true, 3L);
            assertEquals(List.of("variant:cnn-small"), replaced.removed());
            await(() -> live.get().variant("cnn-small").isEmpty(), "the removal reaches the follower");
            assertEquals(smaller, live.get());

            // adding one variant (merge) leaves the others alone
            Catalog justCnn = new Catalog(List.of(FULL.variant("cnn-small").orElseThrow()));
            CatalogPublisher.Outcome added = publisher.publish(justCnn, false, 4L);
            assertEquals(List.of("variant:cnn-small"), added.added());
            assertEquals(List.of(), added.removed());
            await(() -> live.get().variant("cnn-small").isPresent(), "the added variant reaches the follower");
            assertEquals(FULL.variants().size(), live.get().variants().size());

            // a record this version cannot read is skipped; the catalog stays and later records still apply
            long updates = live.updates();
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrap()),
                    new StringSerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(Topics.DEFAULT.catalog(), "variant:junk", new byte[] {0, 1, 2, 3})).get();
            }
            publisher.remove(List.of("linear"));
            await(() -> live.get().variant("linear").isEmpty(), "a remove after the junk record still applies");
            assertTrue(live.get().variant("mlp").isPresent());
            assertTrue(live.updates() > updates);

            // a replacing publish clears the record nobody can read
            assertEquals(List.of("variant:junk"), publisher.publish(live.get(), true, 5L).removed());

            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> publisher.remove(List.of("nope")));
            assertTrue(unknown.getMessage().contains("'nope' is not in the published catalog"), unknown.getMessage());
        }
        // a component started later reads the whole state before it starts deciding
        try (LiveCatalog late = LiveCatalog.follow(settings, SERDES, SMALL, Duration.ofSeconds(20))) {
            assertTrue(late.isPublished());
            assertTrue(late.get().variant("linear").isEmpty());
            assertEquals(FULL.variants().size() - 1, late.get().variants().size());
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
