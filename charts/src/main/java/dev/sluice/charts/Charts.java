package dev.sluice.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Charts for the benchmarks and the simulator, drawn by JFreeChart (axes with ticks and labels
 * that carry the units, a legend per chart) and written as SVG by JFreeSVG: text stays text, so
 * a browser, a diff and a test can read the labels. Pure functions of their data; no Kafka.
 */
public final class Charts {
    /** The palette the earlier hand-drawn charts used (matplotlib's), so colours keep their meaning. */
    public static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
        "#17becf", "#7f7f7f", "#bcbd22"};
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 320;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

    static {
        System.setProperty("java.awt.headless", "true");
        // rotated labels (the value axis) as SVG text under a rotation, not as glyph outlines
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private Charts() {}

    /** One line: points (x, y); {@code err}, when not null, the half-width of each point's interval; {@code color} "#rrggbb" or null for the palette. */
    public record Series(String name, double[] x, double[] y, double[] err, String color) {
        public Series {
            if (x.length != y.length || (err != null && err.length != y.length)) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x, " + y.length + " y"
                        + (err == null ? "" : ", " + err.length + " intervals"));
            }
        }

        public Series(String name, double[] x, double[] y) {
            this(name, x, y, null, null);
        }
    }

    /** A labelled point of a scatter chart. */
    public record Point(String label, double x, double y) {}

    /**
     * A line chart; NaN points are left out of their line; error bars where a series has
     * intervals; markers when a series has at most 30 points. {@code yMin}/{@code yMax} fix the
     * value axis (null: fit the data).
     */
    public static JFreeChart lines(String title, String xLabel, String yLabel, List<Series> series, Double yMin, Double yMax) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        boolean intervals = series.stream().anyMatch(s -> s.err() != null);
        XYErrorRenderer errors = new XYErrorRenderer();
        errors.setDrawXError(false);
        errors.setDrawYError(intervals); // no zero-length bars (caps) on charts without intervals
        errors.setCapLength(5);
        XYLineAndShapeRenderer renderer = errors;
        int i = 0;
        for (Series s : series) {
            YIntervalSeries ys = new YIntervalSeries(s.name() == null || s.name().isEmpty() ? "series " + i : s.name(), false, true);
            for (int k = 0; k < s.x().length; k++) {
                double y = s.y()[k];
                if (Double.isNaN(y) || Double.isNaN(s.x()[k])) {
                    continue;
                }
                double e = s.err() == null || Double.isNaN(s.err()[k]) ? 0 : s.err()[k];
                ys.add(s.x()[k], y, y - e, y + e);
            }
            data.addSeries(ys);
            renderer.setSeriesPaint(i, color(s.color(), i));
            renderer.setSeriesStroke(i, new BasicStroke(1.6f));
            renderer.setSeriesLinesVisible(i, true);
            renderer.setSeriesShapesVisible(i, s.x().length <= 30);
            renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
            i++;
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(renderer);
        style(chart);
        styleXY(plot);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(false);
        if (yMin != null && yMax != null) {
            y.setRange(yMin, yMax);
        }
        return chart;
    }

    /**
     * A scatter chart of labelled points with the Pareto front marked: the points no other point
     * beats on both axes (lower x and higher y), joined in x order and drawn larger; the others
     * as small grey markers. Each point carries its label.
     */
    public static JFreeChart paretoScatter(String title, String xLabel, String yLabel, List<Point> points) {
        List<Point> front = Pareto.front(points);
        XYSeries frontSeries = new XYSeries("Pareto front (nothing cheaper is as accurate)", true, true);
        XYSeries rest = new XYSeries("dominated configuration", true, true);
        for (Point p : points) {
            (front.contains(p) ? frontSeries : rest).add(p.x(), p.y());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(frontSeries);
        data.addSeries(rest);
        JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesLinesVisible(0, true);
        r.setSeriesShapesVisible(0, true);
        r.setSeriesPaint(0, color(COLORS[1], 0));
        r.setSeriesStroke(0, new BasicStroke(2f));
        r.setSeriesShape(0, new Ellipse2D.Double(-5, -5, 10, 10));
        r.setSeriesLinesVisible(1, false);
        r.setSeriesShapesVisible(1, true);
        r.setSeriesPaint(1, color(COLORS[0], 1));
        r.setSeriesShape(1, new Ellipse2D.Double(-4, -4, 8, 8));
        plot.setRenderer(r);
        style(chart);
        styleXY(plot);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setAutoRangeIncludesZero(true);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(false);
        y.setLowerMargin(0.08);
        y.setUpperMargin(0.12);
        x.setUpperMargin(0.3); // room for the rightmost point's label
        for (Point p : points) {
            XYTextAnnotation label = new XYTextAnnotation(" " + p.label(), p.x(), p.y());
            label.setFont(SMALL);
            label.setTextAnchor(TextAnchor.BOTTOM_LEFT);
            label.setPaint(front.contains(p) ? Color.BLACK : Color.DARK_GRAY);
            plot.addAnnotation(label);
        }
        return chart;
    }

    /**
     * A grouped bar chart: for each category (left to right, in map order) one bar per series, with
     * the value written above each bar. NaN values draw no bar.
     */
    public static JFreeChart bars(String title, String categoryLabel, String valueLabel, Map<String, Map<String, Double>> seriesByCategory) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<String> names = new ArrayList<>();
        seriesByCategory.forEach((category, values) -> values.forEach((series, v) -> {
            if (!names.contains(series)) {
                names.add(series);
            }
            data.addValue(Double.isNaN(v) ? null : v, series, category);
        }));
        JFreeChart chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.04);
        r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new java.text.DecimalFormat("#,##0.#")));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(SMALL);
        for (int i = 0; i < names.size(); i++) {
            r.setSeriesPaint(i, color(null, i));
        }
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        ((NumberAxis) plot.getRangeAxis()).setUpperMargin(0.12);
        return chart;
    }

    /** Charts one above the other, {@link #WIDTH} wide and {@link #HEIGHT} each, as one SVG document. */
    public static String svg(List<JFreeChart> charts) {
        return svg(charts, WIDTH, HEIGHT);
    }

    public static String svg(List<JFreeChart> charts, int width, int heightEach) {
        return draw(charts, width, heightEach).getSVGDocument() + "\n";
    }

    /** The same as an {@code <svg>} element, to place in an HTML page. */
    public static String svgElement(List<JFreeChart> charts, int width, int heightEach) {
        return draw(charts, width, heightEach).getSVGElement();
    }

    /**
     * A self-contained HTML page (no scripts): a title, an optional preformatted table, then the
     * charts as inline SVG.
     */
    public static String page(String title, String preformatted, List<JFreeChart> charts) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>")
                .append("<style>body{font-family:sans-serif;margin:20px}pre{background:#f5f5f5;padding:8px}"
                        + "svg{display:block;margin:8px 0;border:1px solid #ddd}</style></head><body>");
        b.append("<h1>").append(esc(title)).append("</h1>");
        if (preformatted != null && !preformatted.isEmpty()) {
            b.append("<pre>").append(esc(preformatted)).append("</pre>");
        }
        for (JFreeChart c : charts) {
            b.append(svgElement(List.of(c), WIDTH, HEIGHT));
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static SVGGraphics2D draw(List<JFreeChart> charts, int width, int heightEach) {
        SVGGraphics2D g = new SVGGraphics2D(width, (double) heightEach * Math.max(1, charts.size()));
        int top = 0;
        for (JFreeChart c : charts) {
            c.draw(g, new Rectangle(0, top, width, heightEach));
            top += heightEach;
        }
        return g;
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        TextTitle t = chart.getTitle();
        if (t != null) {
            t.setFont(TITLE);
        }
    }

    private static void styleXY(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setOutlinePaint(new Color(0x999999));
    }

    /** "#rrggbb", else the palette's {@code index}-th colour. */
    static Color color(String hex, int index) {
        return Color.decode(hex != null ? hex : COLORS[index % COLORS.length]);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
