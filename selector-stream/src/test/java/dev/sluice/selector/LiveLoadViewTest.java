package dev.sluice.selector;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.decision.policy.LoadSnapshot;
import dev.sluice.decision.policy.VariantLoad;
import org.junit.jupiter.api.Test;

class LiveLoadViewTest {
    private final LiveLoadView view = new LiveLoadView(2_000);

    private static ExecutorStatus status(String executor, String variant, long queue, double throughput, long atMs) {
        return ExecutorStatus.newBuilder()
                .setExecutorId(executor).setVariant(variant).setDevice("cpu")
                .setQueueDepth(queue).setArrivalRate(0).setThroughput(throughput).setBatchLatencyMs(1)
                .setUpdatedAtMs(atMs).build();
    }

    @Test
    void unknownVariantIsIdle() {
        assertEquals(VariantLoad.IDLE, view.snapshot(T0).of("mlp"));
    }

    @Test
    void sumsStatusesPerVariantOverExecutors() {
        view.onStatus(status("e1", "mlp", 3, 100, T0));
        view.onStatus(status("e2", "mlp", 4, 50, T0));
        view.onStatus(status("e1", "cnn", 9, 10, T0));
        LoadSnapshot s = view.snapshot(T0 + 10);
        assertEquals(new VariantLoad(7, 150, T0 + 10, 1.0), s.of("mlp"));
        assertEquals(new VariantLoad(9, 10, T0 + 10, 1.0), s.of("cnn"));
    }

    @Test
    void newerStatusOfTheSameExecutorReplacesTheOlder() {
        view.onStatus(status("e1", "mlp", 3, 100, T0));
        view.onStatus(status("e1", "mlp", 1, 80, T0 + 5));
        assertEquals(new VariantLoad(1, 80, T0 + 10, 1.0), view.snapshot(T0 + 10).of("mlp"));
    }

    @Test
    void dispatchesCountUntilTheNextStatus() {
        view.onStatus(status("e1", "mlp", 3, 100, T0));
        view.onDispatch("mlp");
        view.onDispatch("mlp");
        view.onDispatch("cnn");
        assertEquals(5, view.snapshot(T0).of("mlp").queueDepth());
        assertEquals(1, view.snapshot(T0).of("cnn").queueDepth(), "dispatches count even before any status");
        view.onStatus(status("e1", "mlp", 4, 100, T0 + 1));
        assertEquals(4, view.snapshot(T0 + 1).of("mlp").queueDepth(), "the new status already counts them");
        assertEquals(1, view.snapshot(T0 + 1).of("cnn").queueDepth());
    }

    @Test
    void theLiveCostPerRequestIsBatchLatencyOverMeanBatchAveragedOverExecutors() {
        view.onStatus(ExecutorStatus.newBuilder(status("e1", "vgg", 0, 100, T0)).setBatchLatencyMs(12).setMeanBatchSize(4).build());
        view.onStatus(ExecutorStatus.newBuilder(status("e2", "vgg", 0, 100, T0)).setBatchLatencyMs(5).setMeanBatchSize(1).build());
        view.onStatus(ExecutorStatus.newBuilder(status("e3", "mlp", 0, 0, T0)).setBatchLatencyMs(0).build());
        assertEquals(4.0, view.snapshot(T0).of("vgg").msPerRequest(), 1e-9);
        assertEquals(0.0, view.snapshot(T0).of("mlp").msPerRequest(), "nothing run yet: no live cost");
    }

    @Test
    void staleStatusesAreIgnored() {
        view.onStatus(status("dead", "mlp", 50, 100, T0));
        view.onStatus(status("alive", "mlp", 2, 30, T0 + 1_500));
        assertEquals(new VariantLoad(52, 130, T0 + 2_000, 1.0), view.snapshot(T0 + 2_000).of("mlp"), "2000 ms old is not stale");
        assertEquals(new VariantLoad(2, 30, T0 + 2_001, 1.0), view.snapshot(T0 + 2_001).of("mlp"));
        VariantLoad allStale = view.snapshot(T0 + 10_000).of("mlp");
        assertEquals(0, allStale.queueDepth());
        assertEquals(0.0, allStale.throughputPerSec());
    }
}
