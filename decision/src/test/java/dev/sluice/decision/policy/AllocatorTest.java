package dev.sluice.decision.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AllocatorTest {
    private static final double EPS = 1e-9;
    private final Allocator greedy = new GreedyAllocator();
    private final Allocator exact = new ExactAllocator();

    // cost in CPU seconds per request; d is dominated (dearer and worse than b), off the hull
    private static final List<PlanOption> SMALL = List.of(
            new PlanOption("a", 0.80, 1), new PlanOption("b", 0.90, 2),
            new PlanOption("c", 0.95, 10), new PlanOption("d", 0.85, 6));

    @Test
    void mixesTheTwoHullNeighboursAroundTheBudget() {
        // 4 core-seconds per request: b and c mixed so that 2 + 8f = 4
        for (Allocator a : List.of(greedy, exact)) {
            Allocation x = a.allocate(SMALL, 1, 4);
            assertEquals(0.75, x.shares().get("b"), EPS, a.getClass().getSimpleName());
            assertEquals(0.25, x.shares().get("c"), EPS);
            assertEquals(2, x.shares().size());
            assertEquals(0.9125, x.accuracy(), EPS);
            assertEquals(1.0, x.servedFraction());
        }
    }

    @Test
    void noDemandPutsEverythingOnTheMostAccurate() {
        for (Allocator a : List.of(greedy, exact)) {
            assertEquals(Map.of("c", 1.0), a.allocate(SMALL, 0, 0.8).shares());
        }
    }

    @Test
    void aShortBudgetServesWhatTheCheapestCan() {
        for (Allocator a : List.of(greedy, exact)) {
            Allocation x = a.allocate(SMALL, 1, 0.5);
            assertEquals(Map.of("a", 1.0), x.shares());
            assertEquals(0.5, x.servedFraction(), EPS);
        }
    }

    @Test
    void aCheaperMoreAccurateVariantIsAFreeUpgrade() {
        List<PlanOption> options = List.of(new PlanOption("slow-bad", 0.7, 3), new PlanOption("fast-good", 0.9, 3));
        assertEquals(Map.of("fast-good", 1.0), greedy.allocate(options, 1, 3).shares());
        assertEquals(Map.of("fast-good", 1.0), exact.allocate(options, 1, 3).shares());
    }

    /**
     * The gap on random catalogs. Greedy by steepest slope walks the upper hull, which is where
     * this one-budget LP's optimum lies, so the bound is float noise (1e-9); the exact solver
     * is itself checked against random feasible splits.
     */
    @Test
    void greedyMatchesTheExactOptimumOnRandomCatalogs() {
        SplittableRandom rnd = new SplittableRandom(7);
        int instances = 20_000;
        double maxGap = 0;
        double sumGap = 0;
        int withGap = 0;
        for (int i = 0; i < instances; i++) {
            List<PlanOption> options = randomOptions(rnd);
            double demand = Math.pow(10, rnd.nextDouble(0, 5));
            double budget = 0.8;
            Allocation g = greedy.allocate(options, demand, budget);
            Allocation e = exact.allocate(options, demand, budget);
            checkConsistent(g, options, demand, budget);
            checkConsistent(e, options, demand, budget);
            for (int k = 0; k < 20; k++) {
                double[] split = randomSplit(rnd, options.size());
                if (demand * cost(split, options) <= budget) {
                    assertTrue(accuracy(split, options) <= e.accuracy() + EPS, "a random split beat the exact optimum");
                }
            }
            double gap = e.accuracy() - g.accuracy();
            assertTrue(gap >= -EPS, "greedy beat the exact optimum by " + -gap);
            maxGap = Math.max(maxGap, gap);
            sumGap += gap;
            withGap += gap > EPS ? 1 : 0;
        }
        System.out.printf("proteus allocators: greedy vs exact over %d random catalogs (1-8 variants): "
                + "max gap %.2e, mean gap %.2e accuracy points x100, instances with gap > 1e-9: %d%n",
                instances, maxGap * 100, sumGap / instances * 100, withGap);
        assertTrue(maxGap <= EPS, "greedy's optimality gap " + maxGap);
    }

    private static List<PlanOption> randomOptions(SplittableRandom rnd) {
        int n = rnd.nextInt(1, 9);
        List<PlanOption> out = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            // coarse accuracies make ties; costs span four decades like the zoo's
            double acc = Math.round(rnd.nextDouble(0.5, 1.0) * 50) / 50.0;
            double cost = Math.pow(10, rnd.nextDouble(-6, -2));
            out.add(new PlanOption("v" + j, acc, cost));
        }
        return out;
    }

    private static double[] randomSplit(SplittableRandom rnd, int n) {
        double[] s = new double[n];
        double sum = 0;
        for (int j = 0; j < n; j++) {
            s[j] = -Math.log(1 - rnd.nextDouble()) * (rnd.nextInt(3) == 0 ? 0 : 1); // sparse Dirichlet(1)
            sum += s[j];
        }
        if (sum == 0) {
            s[rnd.nextInt(n)] = sum = 1;
        }
        for (int j = 0; j < n; j++) {
            s[j] /= sum;
        }
        return s;
    }

    private static double cost(double[] split, List<PlanOption> options) {
        double c = 0;
        for (int j = 0; j < split.length; j++) {
            c += split[j] * options.get(j).costSec();
        }
        return c;
    }

    private static double accuracy(double[] split, List<PlanOption> options) {
        double a = 0;
        for (int j = 0; j < split.length; j++) {
            a += split[j] * options.get(j).accuracy();
        }
        return a;
    }

    private static void checkConsistent(Allocation x, List<PlanOption> options, double demand, double budget) {
        double shareSum = 0;
        double cost = 0;
        double acc = 0;
        for (PlanOption o : options) {
            double s = x.shares().getOrDefault(o.variant(), 0.0);
            assertTrue(s >= 0);
            shareSum += s;
            cost += s * o.costSec();
            acc += s * o.accuracy();
        }
        assertEquals(1.0, shareSum, 1e-9);
        assertEquals(acc, x.accuracy(), 1e-9);
        if (x.servedFraction() >= 1) {
            assertTrue(demand * cost <= budget * (1 + 1e-9), "over budget: " + demand * cost);
        }
    }
}
