package dev.sluice.sim.chart;

import dev.sluice.sim.Comparison.PolicySummary;
import dev.sluice.sim.RunResult;
import dev.sluice.sim.SimSeries;
import dev.sluice.sim.stats.Interval;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The simulator's two charts: a time series through the trace, and SLO and accuracy against offered load. */
public final class SimCharts {
    private SimCharts() {}

    /**
     * Per second through the trace, each policy's first seed: offered load (black) against what
     * was served on time, SLO attainment, and the accuracy of the answers.
     */
    public static String timeSeries(String title, Map<String, PolicySummary> results) {
        SvgChart served = new SvgChart(title + ": offered (black) and served on time", "seconds", "requests/s");
        SvgChart slo = new SvgChart("SLO attainment per second", "seconds", "served on time / offered").yRange(0, 1.02);
        SvgChart acc = new SvgChart("accuracy of the answers per second", "seconds", "accuracy");
        boolean offeredDrawn = false;
        int i = 0;
        for (var e : results.entrySet()) {
            SimSeries s = e.getValue().runs().get(0).series();
            double[] x = seconds(s.offered().length);
            if (!offeredDrawn) {
                served.line(new SvgChart.Series("offered", x, s.offered(), null, "#000000"));
                offeredDrawn = true;
            }
            String color = SvgChart.COLORS[i++ % SvgChart.COLORS.length];
            served.line(new SvgChart.Series(e.getKey(), x, s.servedOnTime(), null, color));
            slo.line(new SvgChart.Series(e.getKey(), x, s.sloAttainment(), null, color));
            acc.line(new SvgChart.Series(e.getKey(), x, s.accuracy(), null, color));
        }
        return SvgChart.stack(1000, List.of(served, slo, acc));
    }

    /**
     * SLO attainment and effective accuracy of each policy against the offered load of each
     * sweep point (mean over seeds, with 95% intervals as error bars).
     */
    public static String againstLoad(String title, Map<Double, Map<String, PolicySummary>> byLoad) {
        SvgChart slo = new SvgChart(title + ": SLO attainment against offered load", "offered load, requests/s",
                "SLO attainment");
        SvgChart acc = new SvgChart("effective accuracy against offered load", "offered load, requests/s",
                "effective accuracy");
        List<String> policies = new ArrayList<>(byLoad.values().iterator().next().keySet());
        for (String p : policies) {
            List<Double> loads = new ArrayList<>(byLoad.keySet());
            double[] x = new double[loads.size()];
            double[][] s = new double[2][loads.size()];
            double[][] e = new double[2][loads.size()];
            for (int k = 0; k < loads.size(); k++) {
                PolicySummary ps = byLoad.get(loads.get(k)).get(p);
                x[k] = ps.of(RunResult::offeredRps).mean();
                fill(ps, RunResult::sloAttainment, s[0], e[0], k);
                fill(ps, RunResult::effectiveAccuracy, s[1], e[1], k);
            }
            slo.line(p, x, s[0], e[0]);
            acc.line(p, x, s[1], e[1]);
        }
        return SvgChart.stack(1000, List.of(slo, acc));
    }

    private static void fill(PolicySummary ps, ToDoubleFunction<RunResult> f, double[] y, double[] err, int k) {
        Interval i = ps.of(f);
        y[k] = i.mean();
        err[k] = i.ci95();
    }

    private static double[] seconds(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }
}
