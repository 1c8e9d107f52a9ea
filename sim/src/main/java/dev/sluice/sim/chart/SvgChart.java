package dev.sluice.sim.chart;

import dev.sluice.charts.Charts;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * A line chart as standalone SVG: axes with ticks and their labels (units in the label), one line
 * per series, optional error bars (a 95% interval per point), and a legend. Several charts stack
 * into one file with {@link #stack}. NaN points are left out of their line. Drawn by JFreeChart
 * through {@link Charts} (the simulator keeps this class's calls; only the drawing moved).
 */
public final class SvgChart {
    static final String[] COLORS = Charts.COLORS;

    /** One line: points (x, y), and when not null the half-width of each point's interval. */
    public record Series(String name, double[] x, double[] y, double[] err, String color) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private Double yMin;
    private Double yMax;

    public SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a line in the next palette colour. */
    public SvgChart line(String name, double[] x, double[] y, double[] err) {
        series.add(new Series(name, x, y, err, COLORS[series.size() % COLORS.length]));
        return this;
    }

    public SvgChart line(Series s) {
        series.add(s);
        return this;
    }

    /** Fixes the y range (else it spans the data). */
    public SvgChart yRange(double min, double max) {
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    public int height() {
        return 300;
    }

    JFreeChart chart() {
        List<Charts.Series> lines = new ArrayList<>();
        for (Series s : series) {
            lines.add(new Charts.Series(s.name(), s.x(), s.y(), s.err(), s.color()));
        }
        return Charts.lines(title, xLabel, yLabel, lines, yMin, yMax);
    }

    /** Charts one above the other in one SVG document. */
    public static String stack(int width, List<SvgChart> charts) {
        List<JFreeChart> drawn = new ArrayList<>();
        int height = 0;
        for (SvgChart c : charts) {
            drawn.add(c.chart());
            height = Math.max(height, c.height());
        }
        return Charts.svg(drawn, width, height);
    }
}
