package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.trace.Traces;
import dev.sluice.models.Catalog;
import dev.sluice.sim.hops.HopLatencies;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every registered policy, ensembles, cascades and MOSEL's re-planning, driven end to end through a short burst. */
class PoliciesInTheSimulatorTest {
    private static final Catalog ZOO = SimFixtures.zoo();

    static List<String> policies() {
        return new Policies(0).names();
    }

    private static RunResult run(Catalog catalog, String task, String policy, double base, double peak, List<String> tiers) {
        SimConfig c = SimConfig.of(task, Traces.burst(base, peak, 1, 2), peak, 3, 150, List.of(0.0, 0.85, 0.89, 0.91),
                Replicas.parse("1", catalog, task)).withMix(tiers, List.of());
        return new Simulation(c, catalog, HopLatencies.defaults(), policy, 7).run(null);
    }

    @ParameterizedTest
    @MethodSource("policies")
    void everyPolicyAnswersEveryRequest(String policy) {
        RunResult r = run(ZOO, "fashion-mnist", policy, 100, 600, List.of("low", "medium", "high", "ensemble-high"));
        assertTrue(r.sent() > 500, policy + ": " + r.sent());
        assertEquals(r.sent(), r.violations() + Math.round(r.sloAttainment() * r.sent()));
        assertTrue(r.accuracy() > 0.5 || r.sloAttainment() < 0.1, policy + ": accuracy " + r.accuracy());
    }

    @Test
    void cascadesEscalateAtAboutTheirMeasuredRate() {
        RunResult r = run(ZOO, "fashion-mnist", "cascade:linear>vgg@0.5", 100, 100, List.of());
        double rate = (double) r.escalations() / r.sent();
        double measured = ZOO.cascades().stream().filter(c -> c.stages().equals(List.of("linear", "vgg"))
                && c.threshold() == 0.5).findFirst().orElseThrow().escalationRate();
        assertEquals(measured, rate, 0.03, "escalated " + r.escalations() + " of " + r.sent());
    }

    @Test
    void aCatalogEnsembleIsAsAccurateAsMeasured() {
        RunResult r = run(ZOO, "fashion-mnist", "fixed:vgg-tta+vgg-b-tta:majority", 50, 50, List.of());
        assertEquals(0.9442, r.accuracy(), 0.03);
        // majority over two answers early when the first vote cannot be overturned: one or two ballots per request
        long ballots = r.variantMix().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(ballots > r.sent() && ballots <= 2 * r.sent(), ballots + " ballots for " + r.sent());
    }

    @Test
    void moselShedsAModalityUnderLoadOnTheSpokenTask() {
        Catalog spoken = SimFixtures.spokenZoo();
        RunResult calm = run(spoken, "fashion-mnist-spoken", "mosel", 20, 20, List.of());
        RunResult burst = run(spoken, "fashion-mnist-spoken", "mosel", 200, 4000, List.of());
        assertTrue(calm.sent() > 0 && burst.sent() > calm.sent());
        assertTrue(burst.variantMix().size() >= calm.variantMix().size(), calm.variantMix() + " vs " + burst.variantMix());
    }
}
