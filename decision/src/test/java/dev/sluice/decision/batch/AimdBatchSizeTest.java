package dev.sluice.decision.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Clipper's AIMD fed synthetic batch latencies. */
class AimdBatchSizeTest {
    /** Runs full batches (each as large as the limit allows) through a latency model. */
    private static List<Integer> drive(AimdBatchSize aimd, IntToDoubleFunction latencyOf, int steps) {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            int n = aimd.size();
            aimd.observe(n, latencyOf.applyAsDouble(n));
            sizes.add(aimd.size());
        }
        return sizes;
    }

    @Test
    void convergesToTheLargestSizeUnderTheObjectiveAndHoversThere() {
        // 1 ms + 0.5 ms per task: 18 tasks take exactly 10 ms
        AimdBatchSize aimd = new AimdBatchSize(64, 10, 1, 0.9, 1);
        List<Integer> sizes = drive(aimd, n -> 1 + 0.5 * n, 200);
        assertEquals(18, sizes.indexOf(19) + 1, "one step up per batch under the objective: 1 -> 19 in 18 batches");
        TreeSet<Integer> late = new TreeSet<>(sizes.subList(50, 200));
        assertEquals(new TreeSet<>(List.of(17, 18, 19)), late, "19 goes over (10.5 ms), backs off to 17, climbs again");
    }

    @Test
    void backsOffMultiplicativelyWhenTheModelSlowsDownThenClimbsBackAdditively() {
        AimdBatchSize aimd = new AimdBatchSize(32, 10, 2, 0.5, 32);
        // the model gets 4x slower: 32 tasks now take 40 ms
        List<Integer> down = drive(aimd, n -> 1.25 * n, 4);
        assertEquals(List.of(16, 8, 10, 5), down, "halve while over 10 ms (40, 20 ms), +2 at 10 ms, halve at 12.5 ms");
        // back to normal speed: 0.25 ms per task, every size fits
        List<Integer> up = drive(aimd, n -> 0.25 * n, 20);
        assertEquals(32, up.get(up.size() - 1), "climbs back to max_batch");
        for (int i = 1; i < up.size(); i++) {
            assertTrue(up.get(i) - up.get(i - 1) <= 2, "additive: at most +2 per batch");
        }
    }

    @Test
    void staysWithinOneAndMaxBatch() {
        AimdBatchSize never = new AimdBatchSize(16, 1, 1, 0.9, 8);
        assertEquals(1, drive(never, n -> 5.0, 30).get(29), "an objective no batch meets pins it at 1");
        assertEquals(1, never.observe(1, 5.0));
        AimdBatchSize always = new AimdBatchSize(16, 100, 4, 0.9, 1);
        assertEquals(16, drive(always, n -> 1.0, 30).stream().mapToInt(Integer::intValue).max().orElseThrow());
    }

    @Test
    void backsOffByAtLeastOneEvenWhenTheFactorRoundsToTheSameSize() {
        AimdBatchSize aimd = new AimdBatchSize(8, 1, 1, 0.95, 5);
        assertEquals(4, aimd.observe(5, 2.0), "floor(5 * 0.95) = 4");
        assertEquals(3, aimd.observe(4, 2.0), "floor(4 * 0.95) = 3");
        AimdBatchSize slight = new AimdBatchSize(8, 1, 1, 0.99, 2);
        assertEquals(1, slight.observe(2, 2.0));
    }

    @Test
    void growsOnlyAfterBatchesThatFilledTheLimit() {
        AimdBatchSize aimd = new AimdBatchSize(32, 10, 1, 0.9, 10);
        assertEquals(10, aimd.observe(3, 1.0), "a batch of 3 under the objective says nothing about 11");
        assertEquals(11, aimd.observe(10, 1.0));
        assertEquals(9, aimd.observe(4, 12.0), "but any batch over the objective backs off");
    }

    @Test
    void refusesBadSettingsAndMeasurements() {
        assertThrows(IllegalArgumentException.class, () -> new AimdBatchSize(0, 10, 1, 0.9, 1));
        assertThrows(IllegalArgumentException.class, () -> new AimdBatchSize(8, 0, 1, 0.9, 1));
        assertThrows(IllegalArgumentException.class, () -> new AimdBatchSize(8, 10, 0, 0.9, 1));
        assertThrows(IllegalArgumentException.class, () -> new AimdBatchSize(8, 10, 1, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new AimdBatchSize(8, 10, 1, 0.9, 9));
        AimdBatchSize aimd = new AimdBatchSize(8, 10, 1, 0.9, 1);
        assertThrows(IllegalArgumentException.class, () -> aimd.observe(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> aimd.observe(0, 1.0));
    }
}
