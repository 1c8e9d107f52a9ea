package dev.sluice.catalog;

import dev.sluice.avro.CatalogEntry;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog as the compacted {@code sluice.catalog} topic says it is now: a daemon thread
 * follows the topic from its beginning without a consumer group, so every replica of every
 * component sees every record, and {@link #get()} returns the catalog of the records read so far.
 * Until the topic holds a record, the catalog is {@code fallback} (the file the component was
 * started with), so a cluster nobody has published to yet behaves as before.
 *
 * <p>Each change builds a new {@link Catalog} instance; policies that precompute tables per
 * catalog instance rebuild them on their next decision. A record this version cannot read is
 * logged and skipped; it never stops the component.
 */
public final class LiveCatalog implements Supplier<Catalog>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveCatalog.class);

    private final Catalog fallback;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<CatalogEntry> entries;
    private final Map<String, CatalogEntry> live = new LinkedHashMap<>();
    private final List<Consumer<Catalog>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final Thread thread;
    private final String topic;
    private volatile Catalog current;
    private volatile long updates;
    private volatile boolean running = true;

    private LiveCatalog(KafkaSettings kafka, SluiceSerdes serdes, Catalog fallback) {
        this.fallback = fallback;
        this.current = fallback;
        this.entries = serdes.deserializer();
        this.topic = kafka.topics().catalog();
        this.consumer = TopicFollower.committedConsumer(kafka, topic, new ByteArrayDeserializer(),
                TopicFollower.Start.BEGINNING);
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        thread = new Thread(() -> run(end), "sluice-catalog");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Follows the topic and waits up to {@code loadTimeout} for the records already on it, so that
     * a component starts on the published catalog rather than the file.
     */
    public static LiveCatalog follow(KafkaSettings kafka, SluiceSerdes serdes, Catalog fallback, Duration loadTimeout) {
        LiveCatalog c = new LiveCatalog(kafka, serdes, fallback);
        if (!c.awaitLoaded(loadTimeout)) {
            log.warn("catalog: {} not read to its end within {}; starting on what was read ({} variants)", kafka.topics().catalog(),
                    loadTimeout, c.get().variants().size());
        }
        return c;
    }

    /** True once the records on the topic when following began have been read. */
    public boolean awaitLoaded(Duration timeout) {
        try {
            return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public Catalog get() {
        return current;
    }

    /** True while the catalog comes from the topic, false while it is still the fallback file. */
    public boolean isPublished() {
        return current != fallback;
    }

    /** How many times the catalog changed since following began. */
    public long updates() {
        return updates;
    }

    /** Calls {@code listener} with each new catalog, on the follower's thread. */
    public void onChange(Consumer<Catalog> listener) {
        listeners.add(listener);
    }

    private void run(Map<TopicPartition, Long> end) {
        try {
            markLoadedIfCaughtUp(end);
            while (running) {
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    changed |= apply(r);
                }
                if (changed) {
                    rebuild();
                }
                markLoadedIfCaughtUp(end);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("catalog follower stopped; the catalog stays at its last state ({} variants)", current.variants().size(), e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private boolean apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            log.warn("catalog: skipping a record without a key at {}-{}", r.partition(), r.offset());
            return false;
        }
        if (r.value() == null) {
            return live.remove(r.key()) != null;
        }
        try {
            CatalogEntry e = entries.deserialize(topic, r.headers(), r.value());
            CatalogRecords.catalogOf(List.of(e)); // readable on its own before it may change the catalog
            live.put(r.key(), e);
            return true;
        } catch (RuntimeException e) {
            log.warn("catalog: skipping unreadable record '{}' at {}-{}: {}", r.key(), r.partition(), r.offset(), e.getMessage());
            return false;
        }
    }

    private void rebuild() {
        Catalog before = current;
        Catalog next;
        if (live.isEmpty()) {
            next = fallback;
        } else {
            try {
                next = CatalogRecords.catalogOf(new ArrayList<>(live.values()));
            } catch (RuntimeException e) {
                log.warn("catalog: the published records do not make a catalog ({}); keeping the previous one", e.getMessage());
                return;
            }
        }
        current = next;
        updates++;
        log.info("catalog: {} variants from {}{}", next.variants().size(), next == fallback ? "the file" : topic,
                describe(before, next));
        for (Consumer<Catalog> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("catalog listener failed", e);
            }
        }
    }

    private static String describe(Catalog before, Catalog after) {
        Set<String> was = ids(before);
        Set<String> now = ids(after);
        Set<String> added = new TreeSet<>(now);
        added.removeAll(was);
        Set<String> removed = new TreeSet<>(was);
        removed.removeAll(now);
        return (added.isEmpty() ? "" : "; added " + added) + (removed.isEmpty() ? "" : "; removed " + removed);
    }

    private static Set<String> ids(Catalog c) {
        Set<String> s = new TreeSet<>();
        for (Variant v : c.variants()) {
            s.add(v.id());
        }
        return s;
    }

    private void markLoadedIfCaughtUp(Map<TopicPartition, Long> end) {
        if (loaded.getCount() == 0) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return;
            }
        }
        loaded.countDown();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
