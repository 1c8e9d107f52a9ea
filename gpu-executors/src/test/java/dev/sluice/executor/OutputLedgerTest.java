package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceTask;
import dev.sluice.executor.offsets.CompletedOffsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OutputLedgerTest {
    private static final TopicPartition TP = new TopicPartition("sluice.tasks.vgg", 0);

    private static PendingTask task(long offset) {
        return new PendingTask(InferenceTask.newBuilder().setRequestId("r" + offset).setVariant("vgg").setTask("t")
                .setInput(dev.sluice.schemas.Tensors.fp32("input", new long[] {1}, new float[] {0f}))
                .setDeadlineMs(1).setEnqueuedAtMs(0).setCreatedAtMs(0).build(), TP, offset, 0);
    }

    private static List<ProducerRecord<String, Object>> records(long offset) {
        return List.of(new ProducerRecord<>("sluice.partials", "r" + offset, (Object) ("output " + offset)));
    }

    @Test
    void outOfOrderOutputsGoOutAndTheCommitPointStaysAtTheOldestHeldTask() {
        OutputLedger ledger = new OutputLedger();
        ledger.assigned(List.of(TP), Map.of());
        for (long o = 0; o < 3; o++) {
            assertTrue(ledger.accept(TP, o));
        }
        List<ProducerRecord<String, Object>> out = new ArrayList<>();
        ledger.release(task(2), records(2), out);
        assertEquals(1, out.size(), "a finished task's output goes out at once");
        OffsetAndMetadata at = ledger.committablePositions().get(TP);
        assertEquals(0, at.offset(), "tasks 0 and 1 are still held");
        assertEquals(List.of(2L), List.copyOf(offsets(CompletedOffsets.decode(at.offset(), at.metadata()))));
        ledger.release(task(0), records(0), out);
        ledger.release(task(1), records(1), out);
        assertEquals(3, ledger.committablePositions().get(TP).offset());
        assertEquals(3, out.size());
    }

    private static List<Long> offsets(CompletedOffsets c) {
        List<Long> done = new ArrayList<>();
        for (long o = c.position(); o < c.position() + 100; o++) {
            if (c.isDone(o)) {
                done.add(o);
            }
        }
        return done;
    }

    @Test
    void aNewOwnerSkipsTasksWhoseOutputsWereCommittedAboveThePosition() {
        OutputLedger first = new OutputLedger();
        first.assigned(List.of(TP), Map.of());
        for (long o = 0; o < 3; o++) {
            first.accept(TP, o);
        }
        first.release(task(1), records(1), new ArrayList<>());
        OffsetAndMetadata committed = first.committablePositions().get(TP);

        OutputLedger next = new OutputLedger();
        next.assigned(List.of(TP), Map.of(TP, committed));
        assertTrue(next.accept(TP, 0));
        assertFalse(next.accept(TP, 1), "its output was committed: not run again");
        assertTrue(next.accept(TP, 2));
    }

    @Test
    void aRevokedPartitionsTasksAreDroppedForItsNextOwner() {
        OutputLedger ledger = new OutputLedger();
        ledger.assigned(List.of(TP), Map.of());
        ledger.accept(TP, 0);
        ledger.revoked(List.of(TP));
        List<ProducerRecord<String, Object>> out = new ArrayList<>();
        ledger.release(task(0), records(0), out);
        assertTrue(out.isEmpty(), "the next owner runs it");
        assertTrue(ledger.committablePositions().isEmpty());
    }

    @Test
    void aDeadLetterCompletesAtOnceButOnlyOnce() {
        OutputLedger ledger = new OutputLedger();
        ledger.assigned(List.of(TP), Map.of());
        assertTrue(ledger.completeNow(TP, 0));
        assertEquals(1, ledger.committablePositions().get(TP).offset());
        assertFalse(ledger.completeNow(TP, 0), "already done");
    }
}
