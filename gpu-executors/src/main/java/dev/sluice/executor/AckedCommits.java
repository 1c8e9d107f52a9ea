package dev.sluice.executor;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * At-least-once without a blocking flush: consumed offsets become committable once the broker has
 * acknowledged every output sent before them. Sends are counted in an open epoch; {@link #close}
 * ends the epoch with the offsets its outputs complete; {@link #ready} gives the newest closed
 * offsets whose epoch, and every epoch before it, is fully acknowledged.
 *
 * <p>Why not {@code producer.flush()} before each commit: it blocks the executor until the acks
 * arrive, and with one batch per loop turn the heavy variant's 25 ms batches outlast the 20 ms
 * commit interval, so every batch waited on the broker (without the flush the heavy closed loop
 * served 7.5% more, docs/benchmarks/overload.md).
 *
 * <p>A record the broker or the producer refuses for what it is (too large, invalid) is reported
 * to {@code onRefused} and counted as done: sending it again after a restart would fail the same
 * way, and stopping for it would let one record stop the executor for good. Any other failure
 * (the broker unreachable past {@code delivery.timeout.ms}, no authorisation) stops commits.
 *
 * <p>Callbacks run on the producer's I/O thread; everything else on the executor's thread.
 */
final class AckedCommits {
    private static final class Epoch {
        final AtomicInteger unacked = new AtomicInteger();
        Map<TopicPartition, OffsetAndMetadata> offsets;
    }

    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Consumer<Exception> onRefused;
    private final ArrayDeque<Epoch> closed = new ArrayDeque<>();
    private Epoch open = new Epoch();

    /** @param onRefused told of each record refused for itself (on the producer's I/O thread) */
    AckedCommits(Consumer<Exception> onRefused) {
        this.onRefused = onRefused;
    }

    /** Refused for the record itself, not for the state of the broker or the client. */
    static boolean refusedForItself(Exception e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                || e instanceof InvalidRecordException;
    }

    /** Counts one send in the open epoch; pass the result to {@code producer.send}. */
    Callback sent() {
        Epoch e = open;
        e.unacked.incrementAndGet();
        return (metadata, exception) -> {
            if (exception != null && refusedForItself(exception)) {
                onRefused.accept(exception);
            } else if (exception != null) {
                failure.compareAndSet(null, exception);
            }
            e.unacked.decrementAndGet();
        };
    }

    /** Ends the open epoch: {@code offsets} may be committed once everything sent in it (and before) is acked. */
    void close(Map<TopicPartition, OffsetAndMetadata> offsets) {
        open.offsets = Map.copyOf(offsets);
        closed.add(open);
        open = new Epoch();
    }

    /**
     * The offsets to commit now, or null when no closed epoch is fully acknowledged yet.
     *
     * @throws IllegalStateException when a send failed: offsets past it must never be committed
     *     (the executor stops, and whoever takes its partitions answers those tasks again)
     */
    Map<TopicPartition, OffsetAndMetadata> ready() {
        throwIfFailed();
        Map<TopicPartition, OffsetAndMetadata> newest = null;
        while (!closed.isEmpty() && closed.peek().unacked.get() == 0) {
            newest = closed.poll().offsets;
        }
        return newest;
    }

    /** Closed epochs not committed yet. */
    int waiting() {
        return closed.size();
    }

    /** After a flush every send is acknowledged: forgets the epochs (their offsets are committed by the caller). */
    void flushed() {
        throwIfFailed();
        closed.clear();
        open = new Epoch();
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("a record could not be produced (" + e
                    + "); the offsets of the tasks behind it stay uncommitted, so they are answered again after a restart", e);
        }
    }
}
