package dev.sluice.bench;

import dev.sluice.charts.Charts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;

/**
 * A self-contained HTML page (inline SVG, no scripts) for a policy comparison: the table, then
 * per second of the trace the load offered against what each policy served on time, its SLO
 * violations and the accuracy of its answers; drawn by {@link Charts} (JFreeChart), with axes,
 * ticks, units and a legend.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(String title, String tableText, Map<String, TimeSeries> series) {
        return Charts.page(title, tableText, charts(series));
    }

    /** The three charts of {@link #render}. */
    public static List<JFreeChart> charts(Map<String, TimeSeries> series) {
        TimeSeries any = series.values().iterator().next();
        List<Charts.Series> served = new ArrayList<>();
        served.add(new Charts.Series("offered", seconds(any.offered().length), any.offered(), null, "#000000"));
        served.addAll(lines(series, TimeSeries::servedOnTime));
        return List.of(
                Charts.lines("Offered (black) against served on time", "time since the first request, s", "requests/s",
                        served, null, null),
                Charts.lines("SLO violations (dropped + late)", "time since the first request, s", "requests/s",
                        lines(series, TimeSeries::violations), null, null),
                Charts.lines("Accuracy of the answered requests", "time since the first request, s",
                        "accuracy (correct / answered)", lines(series, TimeSeries::accuracy), null, null));
    }

    private static List<Charts.Series> lines(Map<String, TimeSeries> series, Function<TimeSeries, double[]> f) {
        List<Charts.Series> out = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, TimeSeries> e : series.entrySet()) {
            double[] y = f.apply(e.getValue());
            out.add(new Charts.Series(e.getKey(), seconds(y.length), y, null, Charts.COLORS[i++ % Charts.COLORS.length]));
        }
        return out;
    }

    private static double[] seconds(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }
}
