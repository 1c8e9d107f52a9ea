package dev.sluice.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.decision.load.LoadView.ReplicaStatus;
import org.junit.jupiter.api.Test;

class ExecutorStatusListenerTest {
    private static ExecutorStatus.Builder status() {
        return ExecutorStatus.newBuilder().setExecutorId("e1").setVariant("vgg").setDevice("cpu").setQueueDepth(7)
                .setArrivalRate(0).setThroughput(90).setBatchLatencyMs(12).setMeanBatchSize(4).setAssignedPartitions(2)
                .setUpdatedAtMs(1_000);
    }

    @Test
    void readsTheReplicasQueueRateCostAndPartitions() {
        assertEquals(new ReplicaStatus("e1", "vgg", 7, 90, 3.0, 2, 1_000), ExecutorStatusListener.replicaStatus(status().build()));
    }

    @Test
    void nothingRunYetMeansNoLiveCost() {
        assertEquals(0.0, ExecutorStatusListener.replicaStatus(status().setBatchLatencyMs(0).build()).msPerRequest());
    }
}
