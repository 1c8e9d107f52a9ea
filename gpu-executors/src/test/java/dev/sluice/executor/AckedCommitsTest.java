package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class AckedCommitsTest {
    private static final TopicPartition TP = new TopicPartition("sluice.tasks.vgg", 0);
    private static final RecordMetadata META = new RecordMetadata(new TopicPartition("sluice.partials", 0), 0, 0, 0, 0, 0);

    private final List<Exception> refused = new ArrayList<>();

    private static Map<TopicPartition, OffsetAndMetadata> at(long offset) {
        return Map.of(TP, new OffsetAndMetadata(offset));
    }

    @Test
    void offsetsWaitForTheAcksOfTheOutputsSentBeforeThem() {
        AckedCommits acks = new AckedCommits(refused::add);
        Callback a = acks.sent();
        Callback b = acks.sent();
        acks.close(at(2));
        assertNull(acks.ready(), "nothing acknowledged yet");
        a.onCompletion(META, null);
        assertNull(acks.ready(), "one of the epoch's two outputs is still unacknowledged");
        b.onCompletion(META, null);
        assertEquals(at(2), acks.ready());
        assertNull(acks.ready(), "committed once");
        assertEquals(0, acks.waiting());
    }

    @Test
    void aLaterEpochNeverCommitsBeforeAnEarlierOne() {
        AckedCommits acks = new AckedCommits(refused::add);
        Callback first = acks.sent();
        acks.close(at(1));
        Callback second = acks.sent();
        acks.close(at(5));
        second.onCompletion(META, null); // acks across partitions arrive in any order
        assertNull(acks.ready(), "offset 5 covers the task of offset 0, whose output is not acknowledged");
        first.onCompletion(META, null);
        assertEquals(at(5), acks.ready(), "the newest fully acknowledged offsets, once everything before is");
    }

    @Test
    void anEpochWithoutSendsIsReadyAtOnce() {
        AckedCommits acks = new AckedCommits(refused::add); // e.g. tasks skipped as already answered
        acks.close(at(7));
        assertEquals(at(7), acks.ready());
    }

    @Test
    void sendsAfterAnEpochClosedBelongToTheNextOne() {
        AckedCommits acks = new AckedCommits(refused::add);
        acks.close(at(3));
        Callback late = acks.sent();
        assertEquals(at(3), acks.ready(), "a send after the close does not hold the closed epoch");
        acks.close(at(4));
        assertNull(acks.ready());
        late.onCompletion(META, null);
        assertEquals(at(4), acks.ready());
    }

    @Test
    void aFailedSendStopsEveryLaterCommit() {
        AckedCommits acks = new AckedCommits(refused::add);
        Callback lost = acks.sent();
        acks.close(at(1));
        lost.onCompletion(null, new TimeoutException("delivery.timeout.ms expired"));
        IllegalStateException e = assertThrows(IllegalStateException.class, acks::ready);
        assertTrue(e.getMessage().contains("delivery.timeout.ms expired"), e.getMessage());
        assertThrows(IllegalStateException.class, acks::flushed, "a flush does not make a lost output good");
    }

    @Test
    void aFlushForgetsTheWaitingEpochs() {
        AckedCommits acks = new AckedCommits(refused::add);
        Callback c = acks.sent();
        acks.close(at(1));
        c.onCompletion(META, null); // flush() returns once every callback ran
        acks.flushed();
        assertEquals(0, acks.waiting());
        assertNull(acks.ready());
    }

    @Test
    void aRecordRefusedForItselfIsReportedAndDoesNotStopCommits() {
        AckedCommits acks = new AckedCommits(refused::add);
        Callback tooLarge = acks.sent(); // e.g. a dead-letter copy of a task near the size limit, plus its headers
        Callback fine = acks.sent();
        acks.close(at(2));
        tooLarge.onCompletion(null, new RecordTooLargeException("1048800 bytes, larger than max.request.size"));
        fine.onCompletion(META, null);
        assertEquals(at(2), acks.ready(), "sending it again after a restart would fail the same way");
        assertEquals(1, refused.size());
        assertTrue(refused.get(0) instanceof RecordTooLargeException);
    }
}
