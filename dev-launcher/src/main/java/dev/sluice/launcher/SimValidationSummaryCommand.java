package dev.sluice.launcher;

import dev.sluice.bench.SummaryJson;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice sim validation-summary}: pools the validation of several {@code sim --validate}
 * runs (see {@link SimValidationRuns}): per policy, how many runs were within the tolerance, and
 * the mean pipeline and simulated SLO and their differences with 95% intervals over the runs, and
 * the pipeline's own repeatability over the same runs ({@link SimValidationRuns.Repeatability}).
 */
@Command(name = "validation-summary", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pool the validation sections of several sim --validate --summary-json files, one per pipeline run: "
                + "per policy the runs within the tolerance (SLO 0.03, effective accuracy 1 point), and the mean pipeline "
                + "SLO, simulated SLO and differences with 95%% intervals over the runs; the same for the comparison at the "
                + "pipeline's batch speed where every file has it; and the pipeline against itself: its spread over the runs, "
                + "the runs the other runs' mean predicts within the tolerance, and the pairs of runs within it of each other."})
final class SimValidationSummaryCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SUMMARY", description = "sim --validate --summary-json files, one per pipeline run")
    List<Path> summaries;

    @Option(names = "--summary-json", description = "write the pooled comparison here")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        Map<String, SimValidationRuns.PolicyRuns> runs = SimValidationRuns.read(summaries);
        System.out.printf(Locale.ROOT, "validation over %d pipeline run(s): %s%n", summaries.size(), summaries);
        System.out.print(SimValidationRuns.table(runs));
        Map<String, SimValidationRuns.PolicyRuns> atSpeed = null;
        if (SimValidationRuns.allHave(summaries, SimValidationRuns.AT_PIPELINE_SPEED)) {
            atSpeed = SimValidationRuns.read(summaries, SimValidationRuns.AT_PIPELINE_SPEED);
            System.out.println();
            System.out.println("with each policy's heavy batches as fast as the pipeline's in the busy seconds:");
            System.out.print(SimValidationRuns.table(atSpeed));
        }
        if (summaries.size() > 1) {
            System.out.println();
            System.out.println("the pipeline against itself over the same runs (a per-run tolerance tighter than this spread needs "
                    + "what moved each run as an input):");
            System.out.print(SimValidationRuns.repeatabilityTable(runs));
        }
        if (summaryJson != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("summaries", summaries.stream().map(Path::toString).toList());
            out.put("validation_runs", SimValidationRuns.toJson(runs));
            if (atSpeed != null) {
                out.put("validation_runs_at_pipeline_speed", SimValidationRuns.toJson(atSpeed));
            }
            out.put("pipeline_repeatability", SimValidationRuns.repeatabilityJson(runs));
            SummaryJson.write(summaryJson, out);
            System.out.println("summary written to " + summaryJson);
        }
        return 0;
    }
}
