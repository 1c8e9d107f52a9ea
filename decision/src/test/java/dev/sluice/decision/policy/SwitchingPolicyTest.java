package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.TASK;
import static dev.sluice.decision.policy.LadderFixtures.ladder;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Defaults: arrival smoothing 1 s, backlog horizon 1 s, down at 0.9 and up at 0.6 of capacity,
 * 1 s dwell, one core. vgg-tta serves 1.07k/s, vgg 5.3k/s. Overhead 10 ms.
 */
class SwitchingPolicyTest {
    private final Catalog catalog = ladder();
    private final SwitchingPolicy policy = new SwitchingPolicy(new LatencyEstimator(10), SwitchingPolicy.Config.DEFAULTS);

    /** Requests at {@code perSec} from {@code fromMs} for {@code forMs}; returns the level after each. */
    private List<String> drive(long fromMs, long forMs, double perSec, LoadSnapshot load) {
        List<String> levels = new ArrayList<>();
        double gapMs = 1000.0 / perSec;
        for (double t = fromMs; t < fromMs + forMs; t += gapMs) {
            policy.decide(request("r", (long) t, 200, 0), catalog, load, (long) t);
            levels.add(policy.level(TASK));
        }
        return levels;
    }

    private static int switches(List<String> levels) {
        int n = 0;
        for (int i = 1; i < levels.size(); i++) {
            n += levels.get(i).equals(levels.get(i - 1)) ? 0 : 1;
        }
        return n;
    }

    @Test
    void aLiveCostFromTheExecutorsLowersTheCapacityTheLevelFollows() {
        // 300/s: vgg-tta serves it by its profile (1.07k/s), not at a live 5 ms a request (200/s)
        drive(T0, 3_000, 300, LoadSnapshot.IDLE);
        assertEquals("vgg-tta", policy.level(TASK));
        SwitchingPolicy calibrated = new SwitchingPolicy(new LatencyEstimator(10), SwitchingPolicy.Config.DEFAULTS);
        LoadSnapshot slow = new LoadSnapshot(java.util.Map.of("vgg-tta", new VariantLoad(0, 0, 0, 5.0)));
        for (double t = T0; t < T0 + 3_000; t += 1000.0 / 300) {
            calibrated.decide(request("r", (long) t, 200, 0), catalog, slow, (long) t);
        }
        assertEquals("vgg", calibrated.level(TASK));
    }

    @Test
    void idleTrafficGetsTheMostAccurateVariant() {
        Selection s = policy.decide(request("r", T0, 100, 0), catalog, LoadSnapshot.IDLE, T0);
        assertEquals(List.of("vgg-tta"), s.variants());
        assertEquals("switching", policy.name());
    }

    @Test
    void switchesDownUnderABurstAndBackUpInTheLull() {
        drive(T0, 1_000, 10, LoadSnapshot.IDLE);
        assertEquals("vgg-tta", policy.level(TASK));
        drive(T0 + 1_000, 3_000, 3_000, LoadSnapshot.IDLE); // ~3x what vgg-tta serves
        assertEquals("vgg", policy.level(TASK));
        drive(T0 + 4_000, 5_000, 10, LoadSnapshot.IDLE);
        assertEquals("vgg-tta", policy.level(TASK));
    }

    @Test
    void aBiggerBurstGoesFurtherDown() {
        drive(T0, 4_000, 20_000, LoadSnapshot.IDLE); // past 0.9 x vgg's 5.3k/s, within cnn-small's 36k/s
        assertEquals("cnn-small", policy.level(TASK));
    }

    @Test
    void demandBetweenTheThresholdsDoesNotFlap() {
        drive(T0, 2_000, 3_000, LoadSnapshot.IDLE);
        assertEquals("vgg", policy.level(TASK));
        // 800/s: above 0.6 x 1.07k (640) so no way up, below 0.9 x 1.07k (960) so no reason to have gone down
        List<String> levels = drive(T0 + 2_000, 20_000, 800, LoadSnapshot.IDLE);
        assertEquals(0, switches(levels), "levels: " + levels.subList(levels.size() - 5, levels.size()));
        assertEquals("vgg", policy.level(TASK));
    }

    @Test
    void theUpSwitchWaitsForTheDwell() {
        SwitchingPolicy slow = new SwitchingPolicy(new LatencyEstimator(10), new SwitchingPolicy.Config(1_000, 1_000, 0.9, 0.6, 5_000));
        for (long t = T0; t < T0 + 600; t++) { // three per ms: 3k/s
            for (int i = 0; i < 3; i++) {
                slow.decide(request("r", t, 200, 0), catalog, LoadSnapshot.IDLE, t);
            }
        }
        assertEquals("vgg", slow.level(TASK)); // went down about 0.4 s in
        // the burst is long gone by 3 s (demand ~120/s), but the level holds for its 5 s dwell
        slow.decide(request("r", T0 + 3_000, 200, 0), catalog, LoadSnapshot.IDLE, T0 + 3_000);
        assertEquals("vgg", slow.level(TASK));
        slow.decide(request("r", T0 + 5_500, 200, 0), catalog, LoadSnapshot.IDLE, T0 + 5_500);
        assertEquals("vgg-tta", slow.level(TASK));
    }

    @Test
    void aQueuedBacklogCountsAsDemand() {
        // one request, but 3000 tasks waiting: 3000/s over the 1 s horizon
        policy.decide(request("r", T0, 1_000, 0), catalog, queued("vgg-tta", 3_000), T0);
        assertEquals("vgg", policy.level(TASK));
    }

    @Test
    void aRequestTheLevelCannotServeInTimeWalksDownTheLadder() {
        // idle level vgg-tta, but its queue makes it late: 64 queued = 2 full batches of 60 ms p99
        Selection s = policy.decide(request("r", T0, 100, 0), catalog, queued("vgg-tta", 64), T0);
        assertEquals("vgg-tta", policy.level(TASK), "one request does not move the level");
        assertEquals(List.of("vgg"), s.variants());
    }

    @Test
    void theFloorOverridesALowLevel() {
        drive(T0, 3_000, 3_000, LoadSnapshot.IDLE);
        assertEquals("vgg", policy.level(TASK));
        Selection s = policy.decide(request("r", T0 + 3_000, 100, 0.93), catalog, LoadSnapshot.IDLE, T0 + 3_000);
        assertEquals(List.of("vgg-tta"), s.variants());
    }

    @Test
    void rejectsWithTheReasonWhenNothingMeetsFloorOrDeadline() {
        Selection floor = policy.decide(request("r", T0, 100, 0.95), catalog, LoadSnapshot.IDLE, T0);
        assertFalse(floor.serve());
        assertTrue(floor.reason().contains("reaches min_accuracy 0.9500 (best 0.9340)"), floor.reason());
        Selection late = policy.decide(request("r", T0, 5, 0.9), catalog, LoadSnapshot.IDLE, T0);
        assertFalse(late.serve());
        assertTrue(late.reason().contains("finishes in time"), late.reason());
        Selection task = policy.decide(new SelectionRequest("r", "speech", T0, T0 + 100, 0, 0, null, List.of()),
                catalog, LoadSnapshot.IDLE, T0);
        assertTrue(task.reason().contains("'speech'"), task.reason());
    }

    @Test
    void thresholdsMustBeOrdered() {
        assertThrows(IllegalArgumentException.class, () -> new SwitchingPolicy.Config(1_000, 1_000, 0.5, 0.7, 1_000));
    }
}
