package dev.sluice.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.avro.ExecutorStatus;
import dev.sluice.decision.load.LoadView.ReplicaStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
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
    void recordsAStatussAgeWhenApplied() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExecutorStatusListener.StatusAge age = new ExecutorStatusListener.StatusAge(registry, 2_000);
        age.record(status().build(), 1_030); // published at 1,000
        age.record(status().build(), 1_010);
        age.record(status().build(), 990); // a clock behind the executor's: no negative age
        var timer = registry.get("sluice.selector.status.age").timer();
        assertEquals(3, timer.count());
        assertEquals(40.0, timer.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(30.0, timer.max(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(0.0, registry.get("sluice.selector.status.stale.on.arrival").counter().count());
    }

    @Test
    void aStatusAlreadyStaleIsCountedNotTimed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExecutorStatusListener.StatusAge age = new ExecutorStatusListener.StatusAge(registry, 2_000);
        age.record(status().build(), 1_000 + 2_001); // the topic's history, read from its start
        age.record(status().build(), 1_000 + 2_000); // at the limit: still timed
        assertEquals(1, registry.get("sluice.selector.status.age").timer().count());
        assertEquals(1.0, registry.get("sluice.selector.status.stale.on.arrival").counter().count());
    }

    @Test
    void nothingRunYetMeansNoLiveCost() {
        assertEquals(0.0, ExecutorStatusListener.replicaStatus(status().setBatchLatencyMs(0).build()).msPerRequest());
    }
}
