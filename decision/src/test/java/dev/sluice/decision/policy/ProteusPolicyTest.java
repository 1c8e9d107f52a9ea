package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.TASK;
import static dev.sluice.decision.policy.LadderFixtures.ladder;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Defaults: re-plan every 2 s, utilisation 0.8 of one core, demand smoothed over 2 s.
 * Per-request CPU at batch 32: linear 1.25 us, mlp 5.3 us, cnn-small 27.5 us, vgg 188 us,
 * vgg-tta 938 us. Overhead 10 ms.
 */
class ProteusPolicyTest {
    private final Catalog catalog = ladder();
    private final ProteusPolicy policy = new ProteusPolicy(new LatencyEstimator(10), ProteusPolicy.Config.DEFAULTS);

    /** {@code perMs} requests every ms for {@code forMs}; counts the variants served. */
    private Map<String, Integer> drive(long fromMs, long forMs, int perMs, long slackMs, double floor) {
        Map<String, Integer> mix = new HashMap<>();
        for (long t = fromMs; t < fromMs + forMs; t++) {
            for (int i = 0; i < perMs; i++) {
                Selection s = policy.decide(request("r", t, slackMs, floor), catalog, LoadSnapshot.IDLE, t);
                mix.merge(s.serve() ? s.variants().get(0) : "rejected", 1, Integer::sum);
            }
        }
        return mix;
    }

    @Test
    void lightDemandIsPlannedOntoTheMostAccurateVariant() {
        Selection s = policy.decide(request("r", T0, 100, 0), catalog, LoadSnapshot.IDLE, T0);
        assertEquals(List.of("vgg-tta"), s.variants());
        assertEquals(Map.of("vgg-tta", 1.0), policy.allocation(TASK).shares());
        assertEquals("proteus", policy.name());
    }

    @Test
    void heavyDemandIsSplitOverCheaperVariantsWithinTheBudget() {
        drive(T0, 6_000, 10, 100, 0); // 10k/s: 80 us of CPU per request, between cnn-small and vgg
        Allocation a = policy.allocation(TASK);
        assertEquals(2, a.shares().size(), a.toString());
        // planned at 4 s on ~8.6k/s smoothed: 92.5 us per request = 0.59 cnn-small + 0.41 vgg
        assertEquals(0.59, a.shares().get("cnn-small"), 0.02, a.toString());
        assertEquals(0.41, a.shares().get("vgg"), 0.02, a.toString());
        assertTrue(a.accuracy() > 0.915 && a.accuracy() < 0.927, a.toString());
        assertEquals(1.0, a.servedFraction());
    }

    @Test
    void routingFollowsTheSharesBetweenReplans() {
        drive(T0, 5_000, 10, 100, 0); // the last plan was made at 4 s, the next is due at 6 s
        Allocation a = policy.allocation(TASK);
        Map<String, Integer> mix = drive(T0 + 5_000, 900, 10, 100, 0);
        assertSame(a, policy.allocation(TASK), "no re-plan within the interval");
        for (Map.Entry<String, Double> share : a.shares().entrySet()) {
            assertEquals(share.getValue() * 9_000, mix.getOrDefault(share.getKey(), 0), 2, mix.toString());
        }
    }

    @Test
    void replansOnlyEveryInterval() {
        policy.decide(request("r", T0, 100, 0), catalog, LoadSnapshot.IDLE, T0);
        Allocation first = policy.allocation(TASK);
        drive(T0 + 1, 1_900, 20, 100, 0); // a burst starts, the plan waits for its interval
        assertSame(first, policy.allocation(TASK));
        policy.decide(request("r", T0 + 2_000, 100, 0), catalog, LoadSnapshot.IDLE, T0 + 2_000);
        assertNotSame(first, policy.allocation(TASK));
        assertFalse(policy.allocation(TASK).shares().containsKey("vgg-tta"));
    }

    @Test
    void aNewCatalogIsPlannedAtOnce() {
        policy.decide(request("r", T0, 100, 0), catalog, LoadSnapshot.IDLE, T0);
        Allocation first = policy.allocation(TASK);
        Catalog other = new Catalog(List.of(LadderFixtures.LINEAR, LadderFixtures.MLP));
        Selection s = policy.decide(request("r", T0 + 1, 100, 0), other, LoadSnapshot.IDLE, T0 + 1);
        assertNotSame(first, policy.allocation(TASK));
        assertEquals(List.of("mlp"), s.variants());
    }

    @Test
    void anUnplannedFloorGoesToTheCheapestVariantMeetingIt() {
        drive(T0, 6_000, 10, 100, 0);
        assertFalse(policy.allocation(TASK).shares().containsKey("vgg-tta"));
        Selection s = policy.decide(request("r", T0 + 6_000, 100, 0.93), catalog, LoadSnapshot.IDLE, T0 + 6_000);
        assertEquals(List.of("vgg-tta"), s.variants());
    }

    @Test
    void variantsThatWouldMissTheDeadlineAreSkipped() {
        drive(T0, 6_000, 10, 100, 0);
        // vgg's queue makes it late for this request: the cnn-small share takes it
        LoadSnapshot busyVgg = queued("vgg", 1_000);
        for (int i = 0; i < 50; i++) {
            Selection s = policy.decide(request("r", T0 + 6_000, 100, 0), catalog, busyVgg, T0 + 6_000);
            assertEquals(List.of("cnn-small"), s.variants());
        }
    }

    @Test
    void demandBeyondTheMachineIsPlannedOnTheCheapest() {
        // one replica measured at 100x the profiled cost: linear alone serves 6.4k/s within 0.8 of it, and 10k/s arrive
        Map<String, VariantLoad> slow = new java.util.HashMap<>();
        TaskVariants.of(catalog, TASK).byCost().forEach(v -> slow.put(v.id(), new VariantLoad(0, 0, T0, 100 * TaskVariants.msPerRequest(v))));
        LoadSnapshot measured = new LoadSnapshot(slow);
        for (long t = T0; t < T0 + 5_000; t++) {
            for (int i = 0; i < 10; i++) {
                policy.decide(request("r", t, 100, 0), catalog, measured, t);
            }
        }
        Allocation a = policy.allocation(TASK);
        assertEquals(Map.of("linear", 1.0), a.shares());
        assertTrue(a.servedFraction() < 1, a.toString());
    }

    @Test
    void theBudgetIsTheLiveReplicasNotAConstant() {
        // every variant measured at 100x its profiled cost: one device cannot serve 10k/s even on linear; eight serve more accurately
        ProteusPolicy one = new ProteusPolicy(new LatencyEstimator(10), ProteusPolicy.Config.DEFAULTS);
        ProteusPolicy eight = new ProteusPolicy(new LatencyEstimator(10), ProteusPolicy.Config.DEFAULTS);
        Set<String> devices = Set.of("e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8");
        Map<String, VariantLoad> single = new HashMap<>();
        Map<String, VariantLoad> many = new HashMap<>();
        TaskVariants.of(catalog, TASK).byCost().forEach(v -> {
            single.put(v.id(), new VariantLoad(Set.of("e1"), 0, 0, 0, 100 * TaskVariants.msPerRequest(v), T0));
            many.put(v.id(), new VariantLoad(devices, 0, 0, 0, 100 * TaskVariants.msPerRequest(v), T0));
        });
        for (long t = T0; t < T0 + 5_000; t++) {
            for (int i = 0; i < 10; i++) {
                one.decide(request("r", t, 100, 0), catalog, new LoadSnapshot(single), t);
                eight.decide(request("r", t, 100, 0), catalog, new LoadSnapshot(many), t);
            }
        }
        assertTrue(one.allocation(TASK).servedFraction() < 1, one.allocation(TASK).toString());
        assertEquals(1.0, eight.allocation(TASK).servedFraction(), 1e-9, eight.allocation(TASK).toString());
        assertTrue(eight.allocation(TASK).accuracy() > one.allocation(TASK).accuracy());
    }

    @Test
    void rejectsWithTheReasonWhenNothingMeetsFloorOrDeadline() {
        Selection floor = policy.decide(request("r", T0, 100, 0.95), catalog, LoadSnapshot.IDLE, T0);
        assertTrue(floor.reason().contains("reaches min_accuracy 0.9500"), floor.reason());
        Selection late = policy.decide(request("r", T0, 5, 0), catalog, LoadSnapshot.IDLE, T0);
        assertTrue(late.reason().contains("finishes in time"), late.reason());
    }

    @Test
    void theGreedyPlannerCanBeChosen() {
        ProteusPolicy greedy = new ProteusPolicy(new LatencyEstimator(10),
                new ProteusPolicy.Config(2_000, 0.8, 2_000, new GreedyAllocator()));
        for (long t = T0; t < T0 + 6_000; t++) {
            for (int i = 0; i < 10; i++) {
                greedy.decide(request("r", t, 100, 0), catalog, LoadSnapshot.IDLE, t);
                policy.decide(request("r", t, 100, 0), catalog, LoadSnapshot.IDLE, t);
            }
        }
        assertEquals(policy.allocation(TASK).accuracy(), greedy.allocation(TASK).accuracy(), 1e-9);
    }
}
