package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PollWaitTest {
    @Test
    void aBatchReadyNowMeansNoWait() {
        assertEquals(0, VariantExecutor.pollWaitMs(Long.MIN_VALUE, 1_000_000)); // the batcher: a full batch is queued
        assertEquals(0, VariantExecutor.pollWaitMs(999_990, 1_000_000)); // a flush already due
        assertEquals(0, VariantExecutor.pollWaitMs(1_000_000, 1_000_000));
    }

    @Test
    void otherwiseUntilTheNextFlushAtMost20Ms() {
        assertEquals(5, VariantExecutor.pollWaitMs(1_000_005, 1_000_000));
        assertEquals(20, VariantExecutor.pollWaitMs(1_000_500, 1_000_000));
        assertEquals(20, VariantExecutor.pollWaitMs(Long.MAX_VALUE, 1_000_000)); // nothing queued
    }

    @Test
    void afterALongBatchAShortNextBatchWaitsAQuarterOfItsTimeAtMost5MsForTheFetchSentAsItEnded() {
        assertEquals(2, VariantExecutor.catchUpWaitMs(8));
        assertEquals(5, VariantExecutor.catchUpWaitMs(20));
        assertEquals(5, VariantExecutor.catchUpWaitMs(60)); // a heavy batch: bounded by a broker round trip's allowance
    }

    @Test
    void notAfterAShortBatch() {
        assertEquals(0, VariantExecutor.catchUpWaitMs(0)); // no batch ran last turn
        assertEquals(0, VariantExecutor.catchUpWaitMs(7)); // too short for much to have arrived unseen
    }
}
