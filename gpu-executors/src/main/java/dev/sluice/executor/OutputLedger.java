package dev.sluice.executor;

import dev.sluice.executor.offsets.CompletedOffsets;
import dev.sluice.executor.offsets.PartitionLedger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which consumed tasks have an output out, per assigned partition, and so what may be committed.
 * Tasks of one partition can finish out of order (priority levels, deadline drops), so each
 * partition has a {@link PartitionLedger}: the committed position is its oldest task still held
 * (or the next offset when none is), and the offsets above it that already have an output ride in
 * the commit's metadata ({@link CompletedOffsets}); a new owner reads them back and skips those
 * tasks when it re-reads them. When the metadata would outgrow the broker's limit, a finished
 * task's records are held back (unsent, the task still pending) until the tasks below it finish.
 * No I/O: the executor hands it the committed positions it read and sends what it releases.
 */
final class OutputLedger {
    private static final Logger log = LoggerFactory.getLogger(OutputLedger.class);

    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>();
    private final List<HeldOutput> heldBack = new ArrayList<>();

    private record HeldOutput(PendingTask task, List<ProducerRecord<String, Object>> records) {}

    /** Whether the task at {@code offset} is to run: false when its output was committed before (re-read after a crash or rebalance). */
    boolean accept(TopicPartition tp, long offset) {
        return ledger(tp).accept(offset);
    }

    /**
     * A finished task's {@code records} go to {@code out} now, unless its partition's commit
     * metadata has no room for it yet (then they wait) or the partition was revoked meanwhile
     * (then they are dropped: its next owner runs the task).
     */
    void release(PendingTask t, List<ProducerRecord<String, Object>> records, List<ProducerRecord<String, Object>> out) {
        PartitionLedger ledger = ledgers.get(t.partition());
        if (ledger == null || !ledger.isPending(t.offset())) {
            return;
        }
        if (ledger.tryComplete(t.offset())) {
            out.addAll(records);
        } else {
            heldBack.add(new HeldOutput(t, records));
        }
    }

    /** Releases what was held back and now has room. */
    void releaseHeldBack(List<ProducerRecord<String, Object>> out) {
        if (heldBack.isEmpty()) {
            return;
        }
        List<HeldOutput> retry = new ArrayList<>(heldBack);
        heldBack.clear();
        for (HeldOutput h : retry) {
            release(h.task(), h.records(), out);
        }
    }

    /** Marks {@code offset} done at once, in or out of order (a dead-lettered record); false when it was committed before. */
    boolean completeNow(TopicPartition tp, long offset) {
        PartitionLedger ledger = ledger(tp);
        if (!ledger.accept(offset)) {
            return false;
        }
        ledger.complete(offset);
        return true;
    }

    /** Finished tasks held back for room in the commit metadata. */
    int heldBackCount() {
        return heldBack.size();
    }

    /** Per partition: the oldest task still held, and the finished offsets above it in the metadata. */
    Map<TopicPartition, OffsetAndMetadata> committablePositions() {
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
        ledgers.forEach((tp, ledger) -> {
            CompletedOffsets c = ledger.commitPointWithinBudget();
            if (c != null) {
                m.put(tp, new OffsetAndMetadata(c.position(), c.encode()));
            }
        });
        return m;
    }

    /** Newly assigned partitions, from their committed positions and the finished offsets in their metadata. */
    void assigned(Collection<TopicPartition> parts, Map<TopicPartition, OffsetAndMetadata> committed) {
        for (TopicPartition tp : parts) {
            OffsetAndMetadata c = committed.get(tp);
            CompletedOffsets done = null;
            if (c != null) {
                try {
                    done = CompletedOffsets.decode(c.offset(), c.metadata());
                } catch (IllegalArgumentException e) {
                    log.warn("{}: ignoring committed metadata ({}); tasks above offset {} may run again", tp, e.getMessage(),
                            c.offset());
                    done = CompletedOffsets.none(c.offset());
                }
            }
            ledgers.put(tp, done == null ? PartitionLedger.fresh(CompletedOffsets.BROKER_METADATA_LIMIT)
                    : PartitionLedger.restored(done, CompletedOffsets.BROKER_METADATA_LIMIT));
        }
    }

    /** Revoked partitions: their held tasks were not committed, and their next owner re-reads them. */
    void revoked(Collection<TopicPartition> parts) {
        heldBack.removeIf(h -> parts.contains(h.task().partition()));
        parts.forEach(ledgers::remove);
    }

    private PartitionLedger ledger(TopicPartition tp) {
        // normally created on assignment; a partition without one has no committed position to honour
        return ledgers.computeIfAbsent(tp, p -> PartitionLedger.fresh(CompletedOffsets.BROKER_METADATA_LIMIT));
    }
}
