package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.LadderFixtures.ladder;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ClipperBanditPolicyTest {
    private final Catalog catalog = ladder();

    private static ClipperBanditPolicy bandit(long seed) {
        return new ClipperBanditPolicy(new LatencyEstimator(10), ClipperBanditPolicy.Config.DEFAULTS, new SplittableRandom(seed));
    }

    /** Serves {@code n} requests, feeding back a label that is correct with each variant's {@code hitRate}. */
    private Map<String, Integer> play(ClipperBanditPolicy p, int n, Map<String, Double> hitRate, LoadSnapshot load,
                                      double floor, SplittableRandom truth) {
        Map<String, Integer> mix = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Selection s = p.decide(request("r" + i, T0 + i, 100, floor), catalog, load, T0 + i);
            String v = s.variants().get(0);
            mix.merge(v, 1, Integer::sum);
            p.onFeedback("r" + i, v, truth.nextDouble() < hitRate.getOrDefault(v, 0.0), T0 + i);
        }
        return mix;
    }

    @Test
    void learnsWhichVariantIsRightFromFeedback() {
        ClipperBanditPolicy p = bandit(1);
        // on this (shifted) data the mlp happens to be the one that is right
        Map<String, Double> hit = Map.of("linear", 0.3, "mlp", 0.9, "cnn-small", 0.4, "vgg", 0.4, "vgg-tta", 0.4);
        play(p, 3_000, hit, LoadSnapshot.IDLE, 0, new SplittableRandom(2));
        Map<String, Integer> late = play(p, 1_000, hit, LoadSnapshot.IDLE, 0, new SplittableRandom(3));
        assertTrue(late.getOrDefault("mlp", 0) > 800, late.toString());
        // exploration never stops: gamma / K of the draws go to each arm
        assertTrue(late.getOrDefault("linear", 0) >= 5, late.toString());
        assertEquals("clipper-bandit", p.name());
    }

    @Test
    void theSameSeedGivesTheSameDecisions() {
        Map<String, Double> hit = Map.of("vgg-tta", 0.9);
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        ClipperBanditPolicy pa = bandit(5);
        ClipperBanditPolicy pb = bandit(5);
        ClipperBanditPolicy other = bandit(6);
        List<String> c = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            a.add(pa.decide(request("r" + i, T0 + i, 100, 0), catalog, LoadSnapshot.IDLE, T0 + i).variants().get(0));
            b.add(pb.decide(request("r" + i, T0 + i, 100, 0), catalog, LoadSnapshot.IDLE, T0 + i).variants().get(0));
            c.add(other.decide(request("r" + i, T0 + i, 100, 0), catalog, LoadSnapshot.IDLE, T0 + i).variants().get(0));
            pa.onFeedback("r" + i, a.get(i), hit.containsKey(a.get(i)), T0 + i);
            pb.onFeedback("r" + i, b.get(i), hit.containsKey(b.get(i)), T0 + i);
        }
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void aVariantThatWouldBeLateIsNeverServedNorRewarded() {
        ClipperBanditPolicy p = bandit(3);
        // vgg-tta would always be right, but 64 queued make it 192 ms late for a 100 ms deadline
        Map<String, Double> hit = Map.of("vgg-tta", 1.0, "vgg", 0.5, "cnn-small", 0.5, "mlp", 0.5, "linear", 0.5);
        Map<String, Integer> mix = play(p, 2_000, hit, queued("vgg-tta", 64), 0, new SplittableRandom(4));
        assertFalse(mix.containsKey("vgg-tta"), mix.toString());
        Map<String, Double> probs = p.probabilities(catalog.forTask("fashion-mnist").stream()
                .filter(v -> v.isProfiled()).toList());
        assertTrue(probs.get("vgg-tta") <= 0.1 / 5 + 0.05, probs.toString());
    }

    @Test
    void drawsOnlyAmongVariantsMeetingTheFloor() {
        ClipperBanditPolicy p = bandit(4);
        Map<String, Integer> mix = play(p, 500, Map.of(), LoadSnapshot.IDLE, 0.92, new SplittableRandom(5));
        assertEquals(java.util.Set.of("vgg", "vgg-tta"), mix.keySet());
        Selection none = p.decide(request("r", T0, 100, 0.95), catalog, LoadSnapshot.IDLE, T0);
        assertTrue(none.reason().contains("reaches min_accuracy 0.9500"), none.reason());
        Selection late = p.decide(request("r", T0, 5, 0), catalog, LoadSnapshot.IDLE, T0);
        assertTrue(late.reason().contains("finishes in time"), late.reason());
    }

    @Test
    void feedbackWithoutADrawIsIgnored() {
        ClipperBanditPolicy p = bandit(7);
        for (int i = 0; i < 100; i++) {
            p.onFeedback("r" + i, "vgg", true, T0);
            p.onFeedback("r" + i, "no-such-variant", true, T0);
        }
        Map<String, Double> probs = p.probabilities(List.of(LadderFixtures.LINEAR, LadderFixtures.VGG));
        assertEquals(0.5, probs.get("vgg"), 1e-12);
    }

    @Test
    void feedbackOnAnotherReplicasDrawsCannotMoveTheWeights() {
        // two selector replicas share one feedback topic; b's feedback reaches a too
        ClipperBanditPolicy a = bandit(9);
        ClipperBanditPolicy b = bandit(10);
        List<Variant> arms = catalog.forTask("fashion-mnist").stream().filter(v -> v.isProfiled()).toList();
        Map<String, Double> before = a.probabilities(arms);
        for (int i = 0; i < 2_000; i++) {
            String id = "b-" + i;
            String v = b.decide(request(id, T0 + i, 100, 0), catalog, LoadSnapshot.IDLE, T0 + i).variants().get(0);
            boolean right = v.equals("mlp"); // only mlp is ever right: b learns it
            b.onFeedback(id, v, right, T0 + i);
            a.onFeedback(id, v, right, T0 + i);
        }
        assertEquals(before, a.probabilities(arms), "a drew none of these requests");
        assertTrue(b.probabilities(arms).get("mlp") > 0.5, b.probabilities(arms).toString());
    }

    @Test
    void feedbackCountsOnlyForTheArmDrawnAndOnlyOnce() {
        ClipperBanditPolicy p = bandit(11);
        List<Variant> arms = catalog.forTask("fashion-mnist").stream().filter(v -> v.isProfiled()).toList();
        String drawn = p.decide(request("only", T0, 100, 0), catalog, LoadSnapshot.IDLE, T0).variants().get(0);
        String other = arms.stream().map(Variant::id).filter(id -> !id.equals(drawn)).findFirst().orElseThrow();
        Map<String, Double> before = p.probabilities(arms);
        p.onFeedback("only", other, true, T0);
        assertEquals(before, p.probabilities(arms), "a vote of an arm that was not drawn");
        p.onFeedback("only", drawn, true, T0);
        Map<String, Double> once = p.probabilities(arms);
        assertTrue(once.get(drawn) > before.get(drawn));
        p.onFeedback("only", drawn, true, T0);
        assertEquals(once, p.probabilities(arms), "a redelivered feedback counts once");
        assertEquals(0, p.pendingDraws());
    }

    @Test
    void isSafeToShareAcrossThreads() throws Exception {
        ClipperBanditPolicy p = bandit(8);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        String id = Thread.currentThread().getName() + "-" + i;
                        Selection s = p.decide(request(id, T0 + i, 100, 0), catalog, LoadSnapshot.IDLE, T0 + i);
                        p.onFeedback(id, s.variants().get(0), i % 2 == 0, T0 + i);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double total = p.probabilities(catalog.forTask("fashion-mnist").stream().filter(v -> v.isProfiled()).toList())
                .values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(1.0, total, 1e-9);
    }
}
