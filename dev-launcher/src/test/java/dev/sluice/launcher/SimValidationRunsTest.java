package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimValidationRunsTest {
    @TempDir
    Path dir;

    private Path summary(String name, double pipeSlo, double simSlo, double pipeAcc, double simAcc, boolean within)
            throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.format(java.util.Locale.ROOT, """
                {"policies": {}, "validation": {
                  "fixed-high": {"sim_slo": %s, "pipeline_slo": %s, "sim_effective_accuracy": %s,
                                 "pipeline_effective_accuracy": %s, "within": %s},
                  "fixed-low": {"sim_slo": 1.0, "pipeline_slo": 1.0, "sim_effective_accuracy": 0.84,
                                "pipeline_effective_accuracy": 0.84, "within": true}}}
                """, simSlo, pipeSlo, simAcc, pipeAcc, within));
        return f;
    }

    @Test
    void poolsEachPolicysDifferencesOverTheRuns() throws Exception {
        // one run 0.05 above the pipeline, one 0.01 below: out in one run, within on average (+0.02)
        Map<String, SimValidationRuns.PolicyRuns> runs = SimValidationRuns.read(List.of(
                summary("a.json", 0.65, 0.70, 0.60, 0.65, false), summary("b.json", 0.72, 0.71, 0.67, 0.66, true)));
        SimValidationRuns.PolicyRuns fh = runs.get("fixed-high");
        assertEquals(2, fh.runs());
        assertEquals(1, fh.within());
        assertEquals(0.02, fh.sloDifference().mean(), 1e-9);
        // t(0.975, 1) = 12.706 times s / sqrt(2), s = sqrt(0.03^2 + 0.03^2) = 0.0424: two runs give a wide interval
        assertEquals(12.706 * Math.sqrt(0.0018) / Math.sqrt(2), fh.sloDifference().ci95(), 1e-6);
        assertEquals(2.0, fh.accuracyDifferencePoints().mean(), 1e-9);
        assertFalse(fh.meanWithin(), "2 points of effective accuracy on average is outside the 1-point tolerance");
        assertTrue(runs.get("fixed-low").meanWithin());
        assertEquals(List.of("fixed-high", "fixed-low"), List.copyOf(runs.keySet()));
        String table = SimValidationRuns.table(runs);
        assertTrue(table.contains("1/2"), table);
        assertTrue(table.contains("+0.0200 ±0.3812"), table);
        Map<String, Object> json = SimValidationRuns.toJson(runs);
        assertEquals(List.of(0.65, 0.72), ((Map<?, ?>) json.get("fixed-high")).get("pipeline_slo_range"));
    }

    @Test
    void theComparisonAtThePipelinesSpeedIsPooledWhereEveryRunHasIt() throws Exception {
        Path a = summary("a.json", 0.65, 0.70, 0.60, 0.65, false);
        Path b = summary("b.json", 0.72, 0.71, 0.67, 0.66, true);
        assertFalse(SimValidationRuns.allHave(List.of(a, b), SimValidationRuns.AT_PIPELINE_SPEED));
        for (Path f : List.of(a, b)) { // the same rows again under the second section's name, fixed-high within at speed
            String text = Files.readString(f);
            String section = text.substring(text.indexOf("{", text.indexOf("\"validation\"")), text.lastIndexOf("}"))
                    .replace("false", "true");
            Files.writeString(f, text.substring(0, text.lastIndexOf("}")) + ", \"" + SimValidationRuns.AT_PIPELINE_SPEED
                    + "\": " + section + "}");
        }
        assertTrue(SimValidationRuns.allHave(List.of(a, b), SimValidationRuns.AT_PIPELINE_SPEED));
        var atSpeed = SimValidationRuns.read(List.of(a, b), SimValidationRuns.AT_PIPELINE_SPEED);
        assertEquals(2, atSpeed.get("fixed-high").within());
        assertEquals(0.02, atSpeed.get("fixed-high").sloDifference().mean(), 1e-9);
        assertEquals(1, SimValidationRuns.read(List.of(a, b)).get("fixed-high").within(), "the first section as it was");
    }

    @Test
    void thePipelineAgainstItselfOverTheRuns() throws Exception {
        // fixed-high's pipeline at 0.60/0.56, 0.62/0.58 and 0.70/0.66 over three runs
        Map<String, SimValidationRuns.PolicyRuns> runs = SimValidationRuns.read(List.of(
                summary("a.json", 0.60, 0.61, 0.56, 0.57, true), summary("b.json", 0.62, 0.63, 0.58, 0.59, true),
                summary("c.json", 0.70, 0.69, 0.66, 0.65, true)));
        SimValidationRuns.Repeatability fh = runs.get("fixed-high").repeatability();
        assertEquals(0.052915, fh.sloSd(), 1e-6); // sd of 0.60, 0.62, 0.70
        assertEquals(5.2915, fh.accuracySdPoints(), 1e-4);
        // the others' mean: 0.66/0.62 for a (4 points of accuracy off), 0.65/0.61 for b (3), 0.61/0.57 for c (9): none within
        assertEquals(0, fh.runsWithinOthersMean());
        // pairs: a-b 2 points apart (out), a-c and b-c 8 and 10 (out)
        assertEquals(3, fh.pairs());
        assertEquals(0, fh.pairsWithin());
        SimValidationRuns.Repeatability fl = runs.get("fixed-low").repeatability();
        assertEquals(0, fl.sloSd(), 1e-12);
        assertEquals(3, fl.runsWithinOthersMean());
        assertEquals(3, fl.pairsWithin());
        String table = SimValidationRuns.repeatabilityTable(runs);
        assertTrue(table.contains("0/3 (0%)") && table.contains("3/3 (100%)"), table);
        Map<?, ?> json = (Map<?, ?>) SimValidationRuns.repeatabilityJson(runs).get("fixed-high");
        assertEquals(5.29, json.get("effective_accuracy_sd_points"));
        assertEquals(0, json.get("run_pairs_within"));
    }

    @Test
    void runsWithinEachOtherAreCounted() throws Exception {
        // 0.60/0.560 and 0.61/0.565: 0.01 SLO and half a point apart, within; a third 0.05 away is out with both
        Map<String, SimValidationRuns.PolicyRuns> runs = SimValidationRuns.read(List.of(
                summary("a.json", 0.60, 0.60, 0.560, 0.560, true), summary("b.json", 0.61, 0.61, 0.565, 0.565, true),
                summary("c.json", 0.66, 0.66, 0.565, 0.565, true)));
        SimValidationRuns.Repeatability r = runs.get("fixed-high").repeatability();
        assertEquals(1, r.pairsWithin());
        // others' mean for a: 0.635 (0.035 away, out); b: 0.63 (0.02, within); c: 0.605 (0.055, out)
        assertEquals(1, r.runsWithinOthersMean());
    }

    @Test
    void aRunWhoseTransportStalledIsSetAsideForThatPolicy() throws Exception {
        Path a = summary("a.json", 0.65, 0.66, 0.60, 0.61, true);
        Path b = summary("b.json", 0.30, 0.66, 0.25, 0.61, false);
        Files.writeString(b, Files.readString(b).replace("\"within\": false", "\"within\": false, \"transport_stalled\": true"));
        Map<String, SimValidationRuns.PolicyRuns> runs = SimValidationRuns.read(List.of(a, b));
        SimValidationRuns.PolicyRuns fh = runs.get("fixed-high");
        assertEquals(1, fh.runs());
        assertEquals(1, fh.setAside());
        assertEquals(0.01, fh.sloDifference().mean(), 1e-9);
        assertEquals(2, runs.get("fixed-low").runs(), "the other policy keeps both runs");
        assertTrue(SimValidationRuns.table(runs).contains("fixed-high: 1 run(s) set aside"), SimValidationRuns.table(runs));
        assertEquals(1, ((Map<?, ?>) SimValidationRuns.toJson(runs).get("fixed-high")).get("runs_set_aside_transport_stalled"));
        // a policy whose every run stalled has nothing to pool: said so, not a row of NaNs
        Map<String, SimValidationRuns.PolicyRuns> none = SimValidationRuns.read(List.of(b));
        String table = SimValidationRuns.table(none);
        assertTrue(table.contains("(every run set aside)") && !table.contains("NaN"), table);
        assertEquals(null, ((Map<?, ?>) ((Map<?, ?>) SimValidationRuns.toJson(none).get("fixed-high")).get("slo_difference"))
                .get("mean"), "no mean to write: null, not NaN");
    }

    @Test
    void aSummaryWithoutAValidationSectionIsRefused() throws Exception {
        Path f = dir.resolve("plain.json");
        Files.writeString(f, "{\"policies\": {}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimValidationRuns.read(List.of(f)));
        assertTrue(e.getMessage().contains("no validation section"), e.getMessage());
    }
}
