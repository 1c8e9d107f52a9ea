package dev.sluice.sim.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as standalone SVG (no scripts, no fonts beyond sans-serif): axes with five ticks
 * each, one polyline per series, optional error bars (a 95% interval per point), and a legend.
 * Several charts stack into one file with {@link #stack}. NaN points are left out of their line.
 */
public final class SvgChart {
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
        "#17becf", "#7f7f7f", "#bcbd22"};

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

    /** Fixes the y range (else it spans the data, from 0 when all values are positive). */
    public SvgChart yRange(double min, double max) {
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    public int height() {
        return 300;
    }

    /** The chart's body, {@code width} wide, to place at (0, top) in a larger SVG. */
    String body(int width, int top) {
        int h = height();
        int left = 70;
        int right = 170;
        int padTop = 30;
        int padBottom = 45;
        int plotW = width - left - right;
        int plotH = h - padTop - padBottom;
        double x0 = Double.MAX_VALUE;
        double x1 = -Double.MAX_VALUE;
        double y0 = Double.MAX_VALUE;
        double y1 = -Double.MAX_VALUE;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isNaN(s.y()[i])) {
                    continue;
                }
                double e = s.err() == null || Double.isNaN(s.err()[i]) ? 0 : s.err()[i];
                x0 = Math.min(x0, s.x()[i]);
                x1 = Math.max(x1, s.x()[i]);
                y0 = Math.min(y0, s.y()[i] - e);
                y1 = Math.max(y1, s.y()[i] + e);
            }
        }
        if (x0 > x1) {
            x0 = 0;
            x1 = 1;
        }
        if (x1 == x0) {
            x1 = x0 + 1;
        }
        if (y0 > y1) {
            y0 = 0;
            y1 = 1;
        }
        if (yMin != null) {
            y0 = yMin;
            y1 = yMax;
        } else {
            if (y0 > 0 && y0 < 0.5 * y1) {
                y0 = 0;
            }
            double span = y1 - y0;
            if (span == 0) {
                span = Math.abs(y1) > 0 ? Math.abs(y1) * 0.1 : 1;
            }
            y0 -= 0.05 * span;
            y1 += 0.05 * span;
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<g transform=\"translate(0,%d)\" font-family=\"sans-serif\">", top));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>", left,
                esc(title)));
        b.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", left, padTop, plotW, plotH));
        for (int k = 0; k <= 4; k++) {
            double yv = y0 + (y1 - y0) * k / 4;
            double py = padTop + plotH - plotH * (yv - y0) / (y1 - y0);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left,
                    left + plotW, py, py));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                    left - 4, py + 4, tick(yv, y1 - y0)));
            double xv = x0 + (x1 - x0) * k / 4;
            double px = left + plotW * (xv - x0) / (x1 - x0);
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    px, padTop + plotH + 14, tick(xv, x1 - x0)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>",
                left + plotW / 2, padTop + plotH + 32, esc(xLabel)));
        b.append(String.format(Locale.ROOT,
                "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>",
                padTop + plotH / 2, padTop + plotH / 2, esc(yLabel)));
        int legend = 0;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                double yv = s.y()[i];
                if (Double.isNaN(yv)) {
                    continue;
                }
                double px = left + plotW * (s.x()[i] - x0) / (x1 - x0);
                double py = padTop + plotH - plotH * (clamp(yv, y0, y1) - y0) / (y1 - y0);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                if (s.err() != null && !Double.isNaN(s.err()[i]) && s.err()[i] > 0) {
                    double lo = padTop + plotH - plotH * (clamp(yv - s.err()[i], y0, y1) - y0) / (y1 - y0);
                    double hi = padTop + plotH - plotH * (clamp(yv + s.err()[i], y0, y1) - y0) / (y1 - y0);
                    b.append(String.format(Locale.ROOT,
                            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>", px, px,
                            lo, hi, s.color()));
                }
                if (s.x().length <= 30) {
                    b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", px, py,
                            s.color()));
                }
            }
            b.append(String.format(Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>", s.color(), pts));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>",
                    left + plotW + 10, padTop + 12 + 15 * legend++, s.color(), esc(s.name())));
        }
        b.append("</g>");
        return b.toString();
    }

    /** Charts one above the other in one SVG document. */
    public static String stack(int width, List<SvgChart> charts) {
        int h = charts.stream().mapToInt(SvgChart::height).sum();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>", width, h, width, h));
        int top = 0;
        for (SvgChart c : charts) {
            b.append(c.body(width, top));
            top += c.height();
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static String tick(double v, double span) {
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (span >= 20) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (span >= 1) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
