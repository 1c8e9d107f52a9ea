package dev.sluice.catalog;

import dev.sluice.avro.CatalogEntry;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.models.Catalog;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a catalog to the compacted {@code sluice.catalog} topic: only the records that differ
 * from what the topic holds, and, when the catalog replaces the published one, a tombstone for
 * each published element it no longer has (and for each record this version cannot read). Followers ({@link LiveCatalog}) pick the change up.
 */
public final class CatalogPublisher {
    private final KafkaSettings kafka;
    private final SluiceSerdes serdes;

    /** What one publish changed, by record key. */
    public record Outcome(List<String> added, List<String> changed, List<String> removed, int unchanged) {
        @Override
        public String toString() {
            return "added " + added + ", changed " + changed + ", removed " + removed + ", unchanged " + unchanged;
        }
    }

    public CatalogPublisher(KafkaSettings kafka, SluiceSerdes serdes) {
        this.kafka = kafka;
        this.serdes = serdes;
    }

    /**
     * Publishes {@code catalog}. With {@code replace}, elements published before and absent from
     * {@code catalog} are removed; without it, they stay (adding a variant to a live catalog).
     */
    public Outcome publish(Catalog catalog, boolean replace, long nowMs) {
        Published topic = read();
        Map<String, CatalogEntry> now = topic.readable();
        Map<String, CatalogEntry> next = CatalogRecords.entriesOf(catalog, nowMs);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        Map<String, CatalogEntry> writes = new HashMap<>();
        int unchanged = 0;
        for (Map.Entry<String, CatalogEntry> e : next.entrySet()) {
            CatalogEntry was = now.get(e.getKey());
            if (was == null) {
                added.add(e.getKey());
            } else if (!was.getSpecJson().equals(e.getValue().getSpecJson())) {
                changed.add(e.getKey());
            } else {
                unchanged++;
                continue;
            }
            writes.put(e.getKey(), e.getValue());
        }
        if (replace) {
            for (String key : now.keySet()) {
                if (!next.containsKey(key)) {
                    removed.add(key);
                }
            }
            removed.addAll(topic.unreadable());
        }
        List<String> order = new ArrayList<>(next.keySet());
        order.retainAll(writes.keySet());
        write(order, writes, removed);
        return new Outcome(added, changed, removed, unchanged);
    }

    /** Removes the variants {@code ids} from the published catalog; unknown ids are an error naming the known ones. */
    public Outcome remove(Collection<String> ids) {
        Map<String, CatalogEntry> now = published();
        List<String> keys = new ArrayList<>();
        for (String id : ids) {
            String key = CatalogRecords.variantKey(id);
            if (!now.containsKey(key)) {
                throw new IllegalArgumentException("variant '" + id + "' is not in the published catalog; published: "
                        + new TreeSet<>(now.keySet()));
            }
            keys.add(key);
        }
        write(List.of(), Map.of(), keys);
        return new Outcome(List.of(), List.of(), keys, now.size() - keys.size());
    }

    /** The readable records the topic holds now, by key (tombstoned and unreadable keys left out). */
    public Map<String, CatalogEntry> published() {
        return read().readable();
    }

    /** The topic's live keys: those this version reads, and those it cannot (which a replacing publish removes). */
    private record Published(Map<String, CatalogEntry> readable, java.util.Set<String> unreadable) {}

    private Published read() {
        var values = serdes.<CatalogEntry>deserializer();
        Map<String, CatalogEntry> out = new java.util.LinkedHashMap<>();
        java.util.Set<String> unreadable = new java.util.TreeSet<>();
        try (KafkaConsumer<String, byte[]> c = TopicFollower.committedConsumer(kafka, kafka.topics().catalog(), new ByteArrayDeserializer(),
                TopicFollower.Start.BEGINNING)) {
            Map<TopicPartition, Long> end = c.endOffsets(c.assignment());
            long deadline = System.currentTimeMillis() + 30_000;
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("could not read " + kafka.topics().catalog() + " to its end within 30 s");
                }
                ConsumerRecords<String, byte[]> rs = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : rs) {
                    if (r.key() == null) {
                        continue;
                    }
                    out.remove(r.key());
                    unreadable.remove(r.key());
                    if (r.value() != null) {
                        try {
                            out.put(r.key(), values.deserialize(kafka.topics().catalog(), r.headers(), r.value()));
                        } catch (RuntimeException e) {
                            unreadable.add(r.key());
                        }
                    }
                }
            }
        }
        return new Published(out, unreadable);
    }

    private void write(List<String> order, Map<String, CatalogEntry> puts, List<String> tombstones) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Serializer<CatalogEntry> values = serdes.serializer();
        try (KafkaProducer<String, CatalogEntry> p = new KafkaProducer<>(config, new StringSerializer(), values)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (String key : order) {
                sent.add(p.send(new ProducerRecord<>(kafka.topics().catalog(), key, puts.get(key))));
            }
            for (String key : tombstones) {
                sent.add(p.send(new ProducerRecord<>(kafka.topics().catalog(), key, null)));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing to " + kafka.topics().catalog() + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the catalog", e);
        }
    }
}
