package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sluice.decision.trace.Traces;
import dev.sluice.models.Catalog;
import dev.sluice.sim.hops.HopLatencies;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A seed fixes a run: the same seed repeats it to the last count, another seed changes it. */
class DeterminismTest {
    private static final Catalog ZOO = SimFixtures.zoo();

    private static RunResult run(String policy, long seed) {
        SimConfig c = SimConfig.of("fashion-mnist", Traces.burst(300, 1500, 1, 2), 1500, 3, 150, List.of(0.0, 0.85, 0.89, 0.91),
                Replicas.parse("2", ZOO, "fashion-mnist"));
        return new Simulation(c, ZOO, HopLatencies.defaults(), policy, seed).run(null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"infaas", "proteus", "clipper-bandit", "cascade", "cocktail", "switching", "ramsis"})
    void theSameSeedRepeatsTheRun(String policy) {
        RunResult a = run(policy, 11);
        RunResult b = run(policy, 11);
        assertEquals(a.sent(), b.sent());
        assertEquals(a.sloAttainment(), b.sloAttainment());
        assertEquals(a.effectiveAccuracy(), b.effectiveAccuracy());
        assertEquals(a.latencyMs(), b.latencyMs());
        assertEquals(a.variantMix(), b.variantMix());
        assertEquals(a.computeMsPerRequest(), b.computeMsPerRequest());
        assertEquals(a.escalations(), b.escalations());
        assertEquals(a.events(), b.events());
        assertArrayEquals(a.series().servedOnTime(), b.series().servedOnTime());
    }

    @Test
    void anotherSeedChangesIt() {
        RunResult a = run("infaas", 11);
        RunResult b = run("infaas", 12);
        assertNotEquals(a.events(), b.events());
    }

    @Test
    void everyPolicySeesTheSameArrivalsForOneSeed() {
        assertEquals(run("fixed-low", 5).sent(), run("fixed-high", 5).sent());
    }
}
