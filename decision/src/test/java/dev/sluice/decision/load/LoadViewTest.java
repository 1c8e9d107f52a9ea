package dev.sluice.decision.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.decision.load.LoadView.ReplicaLoad;
import dev.sluice.decision.load.LoadView.ReplicaStatus;
import dev.sluice.decision.policy.LoadSnapshot;
import dev.sluice.decision.policy.VariantLoad;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadViewTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final double EPS = 1e-9;
    private final LoadView view = new LoadView(2_000);

    private static ReplicaStatus status(String replica, String variant, long queue, double throughput, long atMs) {
        return new ReplicaStatus(replica, variant, queue, throughput, 1.0, 0, atMs);
    }

    private static ReplicaStatus consuming(String replica, String variant, long queue, int partitions, long atMs) {
        return new ReplicaStatus(replica, variant, queue, 0, 1.0, partitions, atMs);
    }

    @Test
    void unknownVariantIsIdle() {
        assertEquals(VariantLoad.IDLE, view.snapshot(T0).of("mlp"));
    }

    @Test
    void aNewTaskWaitsBehindOneReplicasShareNotTheSum() {
        view.onStatus(status("e1", "vgg", 30, 100, T0));
        view.onStatus(status("e2", "vgg", 30, 100, T0));
        view.onStatus(status("e3", "vgg", 30, 100, T0));
        VariantLoad l = view.snapshot(T0 + 10).of("vgg");
        assertEquals(Set.of("e1", "e2", "e3"), l.replicaIds());
        assertEquals(3, l.replicas());
        assertEquals(90, l.totalQueue());
        assertEquals(30, l.queueAhead(), EPS, "equal shares: the expected wait is one replica's queue");
        assertEquals(300, l.throughputPerSec(), EPS);
    }

    @Test
    void sharesFollowThePartitionsEachReplicaConsumes() {
        // 4 partitions over 3 replicas: e1 holds 2 (and the long queue), e2 and e3 one each
        view.onStatus(consuming("e1", "vgg", 40, 2, T0));
        view.onStatus(consuming("e2", "vgg", 0, 1, T0));
        view.onStatus(consuming("e3", "vgg", 0, 1, T0));
        assertEquals(0.5 * 40, view.snapshot(T0).of("vgg").queueAhead(), EPS);
        List<ReplicaLoad> rs = view.replicas("vgg", T0);
        assertEquals(List.of(0.5, 0.25, 0.25), rs.stream().map(ReplicaLoad::share).toList());
    }

    @Test
    void dispatchesSinceEachReplicasStatusCountForItsShare() {
        view.onStatus(status("e1", "mlp", 3, 100, T0));
        view.onStatus(status("e2", "mlp", 3, 100, T0));
        for (int i = 0; i < 4; i++) {
            view.onDispatch("mlp");
        }
        VariantLoad before = view.snapshot(T0).of("mlp");
        assertEquals(10, before.totalQueue());
        assertEquals(3 + 2, before.queueAhead(), EPS, "each replica got half of the 4");
        // e1 reports: it has seen its 2; e2 has not reported since and still owes its 2
        view.onStatus(status("e1", "mlp", 5, 100, T0 + 1));
        assertEquals(5 + 3 + 2, view.snapshot(T0 + 1).of("mlp").totalQueue());
        assertEquals(List.of(0.0, 2.0), view.replicas("mlp", T0 + 1).stream().map(ReplicaLoad::dispatchedSince).toList());
        view.onDispatch("mlp");
        view.onDispatch("mlp");
        assertEquals(0.5 * (5 + 1) + 0.5 * (3 + 3), view.snapshot(T0 + 1).of("mlp").queueAhead(), EPS);
    }

    @Test
    void dispatchesCountEvenBeforeAnyStatus() {
        view.onDispatch("cnn");
        VariantLoad l = view.snapshot(T0).of("cnn");
        assertEquals(1, l.totalQueue());
        assertEquals(1, l.queueAhead(), EPS);
        assertEquals(0, l.replicas());
        assertEquals(1, l.servingReplicas(), "no replica known yet: plan as one");
    }

    @Test
    void theLiveCostIsAveragedOverReplicasThatReportOne() {
        view.onStatus(new ReplicaStatus("e1", "vgg", 0, 100, 3.0, 0, T0));
        view.onStatus(new ReplicaStatus("e2", "vgg", 0, 100, 5.0, 0, T0));
        view.onStatus(new ReplicaStatus("e3", "vgg", 0, 0, 0.0, 0, T0));
        assertEquals(4.0, view.snapshot(T0).of("vgg").msPerRequest(), EPS);
        assertEquals(3, view.snapshot(T0).of("vgg").replicas(), "a replica that has run nothing yet still counts");
    }

    @Test
    void aReplicaThatStopsReportingDropsOutAfterTheStalenessWindow() {
        view.onStatus(status("e1", "vgg", 10, 100, T0));
        view.onStatus(status("e2", "vgg", 10, 100, T0));
        view.onStatus(status("e3", "vgg", 10, 100, T0));
        // e3 dies; the others keep reporting
        view.onStatus(status("e1", "vgg", 12, 100, T0 + 1_500));
        view.onStatus(status("e2", "vgg", 12, 100, T0 + 1_500));
        assertEquals(3, view.snapshot(T0 + 2_000).of("vgg").replicas(), "2000 ms old is not stale");
        VariantLoad after = view.snapshot(T0 + 2_001).of("vgg");
        assertEquals(Set.of("e1", "e2"), after.replicaIds());
        assertEquals(24, after.totalQueue());
        assertEquals(12, after.queueAhead(), EPS);
        assertEquals(200, after.throughputPerSec(), EPS);
        VariantLoad allStale = view.snapshot(T0 + 10_000).of("vgg");
        assertEquals(0, allStale.replicas());
        assertEquals(0, allStale.totalQueue());
        assertEquals(0.0, allStale.throughputPerSec());
    }

    @Test
    void aRedeliveredOlderStatusDoesNotReplaceANewerOne() {
        view.onStatus(status("e1", "mlp", 1, 80, T0 + 5));
        view.onStatus(status("e1", "mlp", 3, 100, T0));
        assertEquals(1, view.snapshot(T0 + 10).of("mlp").totalQueue());
    }

    @Test
    void snapshotsAreValuesThatLaterEventsDoNotChange() {
        view.onStatus(status("e1", "mlp", 1, 80, T0));
        LoadSnapshot s = view.snapshot(T0);
        view.onDispatch("mlp");
        view.onStatus(status("e2", "mlp", 9, 80, T0));
        assertEquals(1, s.of("mlp").totalQueue());
        assertEquals(1, s.of("mlp").replicas());
    }

    @Test
    void refusesANonPositiveWindow() {
        assertThrows(IllegalArgumentException.class, () -> new LoadView(0));
    }
}
