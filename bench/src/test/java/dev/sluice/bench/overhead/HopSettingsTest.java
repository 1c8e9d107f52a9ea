package dev.sluice.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.common.DeliveryMode;
import org.junit.jupiter.api.Test;

class HopSettingsTest {
    @Test
    void eachModeMakesTheSameHopsTransactionalAsThePipeline() {
        for (DeliveryMode m : DeliveryMode.values()) {
            boolean upstream = m == DeliveryMode.EXACTLY_ONCE;
            boolean aggregator = m != DeliveryMode.AT_LEAST_ONCE;
            assertEquals(upstream, HopSettings.selector(m, 20).transactional(), m + " selector");
            assertEquals(upstream, HopSettings.executor(m, 20, 8).transactional(), m + " executor");
            assertEquals(aggregator, HopSettings.aggregator(m, 20).transactional(), m + " aggregator");
            assertEquals(aggregator, HopSettings.aggregator(m, 20).readCommitted(), m + " aggregator isolation");
            assertTrue(HopSettings.executor(m, 20, 8).readCommitted(), "the executor always reads committed");
        }
    }

    @Test
    void executorSettingsFollowVariantExecutor() {
        HopSettings tx = HopSettings.executor(DeliveryMode.EXACTLY_ONCE, 25, 8);
        assertEquals(0, tx.lingerMs());
        assertEquals(64, tx.maxPollRecords());
        assertEquals(25, tx.commitIntervalMs());
        assertEquals(HopSettings.CommitClock.SINCE_TRANSACTION_START, tx.clock());
        assertEquals(100, HopSettings.executor(DeliveryMode.AT_LEAST_ONCE, 25, 50).maxPollRecords());
        assertEquals(0, HopSettings.executor(DeliveryMode.AT_LEAST_ONCE, 25, 8).commitIntervalMs());
        assertEquals(5, HopSettings.selector(DeliveryMode.AT_LEAST_ONCE, 20).lingerMs());
    }

    @Test
    void streamsCommitsAnIntervalAfterItsLastCommitTheExecutorAfterItsTransactionOpened() {
        HopSettings streams = HopSettings.aggregator(DeliveryMode.EXACTLY_ONCE, 20);
        assertFalse(streams.commitDue(1_019, 1_000, 1_015));
        assertTrue(streams.commitDue(1_020, 1_000, 1_015));
        HopSettings exec = HopSettings.executor(DeliveryMode.EXACTLY_ONCE, 20, 8);
        assertFalse(exec.commitDue(1_030, 1_000, 1_015));
        assertTrue(exec.commitDue(1_035, 1_000, 1_015));
        assertTrue(HopSettings.executor(DeliveryMode.AT_LEAST_ONCE, 20, 8).commitDue(0, 0, 0), "commit per poll");
    }

    @Test
    void pollNeverBlocksPastADueCommit() {
        HopSettings streams = HopSettings.selector(DeliveryMode.EXACTLY_ONCE, 20);
        assertEquals(100, streams.pollTimeoutMs(false, 1_000, 900, 0, 100));
        assertEquals(12, streams.pollTimeoutMs(true, 1_008, 1_000, 0, 100));
        assertEquals(0, streams.pollTimeoutMs(true, 1_050, 1_000, 0, 100));
        assertEquals(0, HopSettings.executor(DeliveryMode.AT_LEAST_ONCE, 20, 8).pollTimeoutMs(true, 5, 0, 0, 100));
    }
}
