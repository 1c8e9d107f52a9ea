package dev.sluice.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A self-contained HTML page of line charts (inline SVG, no scripts) for a policy comparison. */
public final class HtmlReport {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
            "#17becf", "#7f7f7f", "#bcbd22"};

    private HtmlReport() {}

    public static String render(String title, String tableText, Map<String, TimeSeries> series) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>")
                .append("<style>body{font-family:sans-serif;margin:20px}pre{background:#f5f5f5;padding:8px}"
                        + "svg{border:1px solid #ddd;margin:6px 0}</style></head><body>");
        b.append("<h1>").append(esc(title)).append("</h1><pre>").append(esc(tableText)).append("</pre>");
        String any = series.keySet().iterator().next();
        chart(b, "Offered (black) against served on time, requests/s", series, s -> s.servedOnTime(), series.get(any).offered());
        chart(b, "SLO violations (dropped + late), requests/s", series, TimeSeries::violations, null);
        chart(b, "Accuracy of answered requests", series, TimeSeries::accuracy, null);
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void chart(StringBuilder b, String title, Map<String, TimeSeries> series,
            java.util.function.Function<TimeSeries, double[]> f, double[] reference) {
        int w = 900, h = 260, pad = 40;
        double max = 0, min = Double.MAX_VALUE;
        int len = 0;
        for (TimeSeries s : series.values()) {
            for (double v : f.apply(s)) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
            len = Math.max(len, f.apply(s).length);
        }
        if (reference != null) {
            for (double v : reference) {
                max = Math.max(max, v);
            }
            min = 0;
        }
        if (min == Double.MAX_VALUE) {
            min = 0;
        }
        if (f.apply(series.values().iterator().next()) == series.values().iterator().next().accuracy()) {
            min = Math.max(0, Math.floor(min * 20) / 20);
        } else {
            min = 0;
        }
        if (max <= min) {
            max = min + 1;
        }
        b.append("<h3>").append(esc(title)).append("</h3>");
        b.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", w, h));
        b.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%d\" font-size=\"11\">%.2f</text><text x=\"2\" y=\"%d\" font-size=\"11\">%.2f</text>",
                pad, max, h - pad, min));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">time, s (0-%d)</text>", w / 2, h - 8, len));
        if (reference != null) {
            line(b, reference, "#000", w, h, pad, min, max, len);
        }
        int i = 0;
        for (Map.Entry<String, TimeSeries> e : series.entrySet()) {
            String color = COLORS[i % COLORS.length];
            line(b, f.apply(e.getValue()), color, w, h, pad, min, max, len);
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>", w - 150,
                    pad + 14 * i, color, esc(e.getKey())));
            i++;
        }
        b.append("</svg>");
    }

    private static void line(StringBuilder b, double[] v, String color, int w, int h, int pad, double min, double max, int len) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                continue;
            }
            double x = pad + (w - 2.0 * pad) * i / Math.max(1, len - 1);
            double y = h - pad - (h - 2.0 * pad) * (v[i] - min) / (max - min);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(color).append("\" points=\"")
                .append(pts).append("\"/>");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static List<String> colors() {
        return List.of(COLORS);
    }
}
