package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.bench.BenchCharts;
import dev.sluice.bench.EnsembleBenchmark;
import dev.sluice.bench.EnsembleResult;
import dev.sluice.bench.HtmlReport;
import dev.sluice.bench.TimeSeries;
import dev.sluice.bench.overhead.LatencyStats;
import dev.sluice.bench.overhead.ModeResult;
import dev.sluice.bench.overhead.OverheadReport;
import dev.sluice.charts.Charts;
import dev.sluice.sim.chart.SvgChart;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The charts of bench policies, bench ensemble, bench overhead and the simulator, as the commands
 * write them, drawn by headless Chromium (as a reader's browser would) and checked on the
 * screenshot (the series' colours are drawn, the page is not blank) and in the DOM (titles, axis
 * labels with their units, tick labels, legend entries). The screenshots stay in target/charts/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChartsIT {
    private static final Path OUT = Path.of("target", "charts");
    private HeadlessChromium chromium;

    @BeforeAll
    void chromium() throws Exception {
        Path binary = Path.of(System.getProperty("sluice.chromium", HeadlessChromium.DEFAULT.toString()));
        if (!Files.isExecutable(binary)) {
            fail(HeadlessChromium.missingMessage(binary));
        }
        Files.createDirectories(OUT);
        chromium = new HeadlessChromium(binary, OUT);
    }

    @Test
    void benchPoliciesTimeSeries() throws Exception {
        int n = 60;
        Map<String, TimeSeries> series = new LinkedHashMap<>();
        series.put("infaas", wave(n, 0.0));
        series.put("fixed-low", wave(n, 0.3));
        String page = HtmlReport.render("Sluice policies on the burst trace", "policy table", series);
        Shot s = shoot("policies", page, 1100, 1250);
        s.hasColour(Charts.COLORS[0], "infaas");
        s.hasColour(Charts.COLORS[1], "fixed-low");
        s.hasColour("#000000", "offered");
        s.saysAll("Offered (black) against served on time", "SLO violations (dropped + late)",
                "Accuracy of the answered requests", "time since the first request, s", "requests/s",
                "accuracy (correct / answered)", ">infaas<", ">fixed-low<", ">offered<", ">50<");
    }

    @Test
    void benchEnsembleAccuracyAgainstComputeWithTheParetoFront() throws Exception {
        Map<String, EnsembleResult> results = new LinkedHashMap<>();
        results.put("fixed:linear", ensemble(0.8454, 0.05, 0.04));
        results.put("fixed:cnn-small", ensemble(0.9146, 0.8, 0.7));
        results.put("fixed:mlp", ensemble(0.8810, 1.1, 0.9));
        results.put("fixed:vgg", ensemble(0.9301, 4.9, 4.5));
        results.put("fixed:vgg-tta+vgg-b-tta:average", ensemble(0.9390, 19.8, 18.1));
        results.put("cascade:cnn-small>vgg@0.9", ensemble(0.9322, 1.9, 1.7));
        String page = Charts.page("Sluice ensembles", EnsembleBenchmark.table(results, "fixed:vgg"), BenchCharts.ensemble(results));
        Shot s = shoot("ensemble", page, 1100, 1000);
        s.hasColour(Charts.COLORS[1], "the Pareto front");
        s.hasColour(Charts.COLORS[0], "dominated configurations");
        s.saysAll("Accuracy against compute per request (model wall time)", "model compute per request, ms (all member outputs)",
                "accuracy, % of requests sent", "Pareto front (nothing cheaper is as accurate)", "dominated configuration",
                " fixed:vgg-tta+vgg-b-tta:average", " cascade:cnn-small&gt;vgg@0.9", "Accuracy against executor CPU per request");
    }

    @Test
    void benchOverheadBarsByDeliveryMode() throws Exception {
        Map<String, ModeResult> modes = new LinkedHashMap<>();
        modes.put("exactly-once-results", mode("exactly-once-results", 212.0, 205.1, 1500.0, 1214.1, 9.5, 21.3, 6.1, 14.2));
        modes.put("at-least-once", mode("at-least-once", 212.0, 208.7, 2100.0, 1702.4, 6.4, 17.0, 4.0, 11.8));
        OverheadReport report = new OverheadReport(Map.of(), "exactly-once-results", modes);
        String page = Charts.page("Sluice overhead", "overhead table", BenchCharts.overhead(report));
        Shot s = shoot("overhead", page, 1100, 800);
        for (int i = 0; i < 4; i++) {
            s.hasColour(Charts.COLORS[i], "bar series " + i);
        }
        s.saysAll("Sustained throughput by delivery mode", "requests/s", "latency, ms", "delivery mode",
                "exactly-once-results (cpu)", "at-least-once (cpu)", "raw ONNX Runtime, heaviest variant",
                "added by the pipeline, p99", ">1,214.1<");
    }

    @Test
    void simulatorChartsAsAStandaloneSvg() throws Exception {
        double[] load = {100, 200, 300, 400};
        SvgChart slo = new SvgChart("burst: SLO attainment against offered load", "offered load, requests/s", "SLO attainment")
                .line("infaas", load, new double[] {1.0, 0.99, 0.93, 0.71}, new double[] {0, 0.01, 0.02, 0.04})
                .line("mosel", load, new double[] {1.0, 0.98, 0.95, 0.80}, new double[] {0, 0.01, 0.03, 0.05});
        SvgChart acc = new SvgChart("effective accuracy against offered load", "offered load, requests/s", "effective accuracy")
                .line("infaas", load, new double[] {0.92, 0.91, 0.86, 0.66}, null)
                .line("mosel", load, new double[] {0.93, 0.91, 0.88, 0.74}, null);
        Path svg = OUT.resolve("sim.svg");
        Files.writeString(svg, SvgChart.stack(1000, List.of(slo, acc)));
        Shot s = shoot("sim", svg, 1000, 600);
        s.hasColour(Charts.COLORS[0], "infaas");
        s.hasColour(Charts.COLORS[1], "mosel");
        s.saysAll("burst: SLO attainment against offered load", "offered load, requests/s", "SLO attainment",
                "effective accuracy", ">infaas<", ">mosel<", ">300<");
    }

    // ------------------------------------------------------------------ fixtures

    private static TimeSeries wave(int n, double phase) {
        double[] offered = new double[n];
        double[] served = new double[n];
        double[] violations = new double[n];
        double[] accuracy = new double[n];
        for (int i = 0; i < n; i++) {
            offered[i] = i >= 24 && i < 33 ? 150 : 60;
            served[i] = offered[i] * (0.8 + 0.2 * Math.cos(i / 5.0 + phase));
            violations[i] = offered[i] - served[i];
            accuracy[i] = i == 10 ? Double.NaN : 0.9 + 0.03 * Math.sin(i / 7.0 + phase);
        }
        return new TimeSeries(offered, served, violations, accuracy);
    }

    private static EnsembleResult ensemble(double accuracy, double computeMs, double cpuMs) {
        return new EnsembleResult("infaas", 1000, 1000, accuracy, computeMs, Map.of("p50", 20.0, "p99", 60.0), 1.0, 0, 0, 0,
                Map.of("OK", 1000L), cpuMs);
    }

    private static ModeResult mode(String name, double ort, double heavy, double chain, double light, double addedP50,
            double addedP99, double chainP50, double chainP99) {
        return new ModeResult(name, "cpu", ort, heavy, heavy / ort, chain, light, light / chain,
                new LatencyStats.Quantiles(addedP50, addedP99), new LatencyStats.Quantiles(chainP50, chainP99),
                new LatencyStats.Quantiles(addedP50 + 5, addedP99 + 5), 100, Map.of(), Map.of(), null, Map.of(), Map.of());
    }

    // ------------------------------------------------------------------ the browser's view

    private Shot shoot(String name, String html, int width, int height) throws Exception {
        Path page = OUT.resolve(name + ".html");
        Files.writeString(page, html);
        return shoot(name, page, width, height);
    }

    private Shot shoot(String name, Path file, int width, int height) throws Exception {
        String url = file.toAbsolutePath().toUri().toString();
        Path png = OUT.resolve(name + ".png");
        chromium.screenshot(url, png, width, height, 500);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null, "no PNG at " + png.toAbsolutePath());
        assertEquals(width, image.getWidth(), "screenshot width");
        assertEquals(height, image.getHeight(), "screenshot height");
        String dom = chromium.dumpDom(url, 500);
        Files.writeString(OUT.resolve(name + "-dom.html"), dom);
        Shot s = new Shot(name, image, dom);
        double inked = s.inkedShare();
        assertTrue(inked > 0.02 && inked < 0.6, name + ": " + Math.round(100 * inked) + "% of the screenshot is not white");
        return s;
    }

    private record Shot(String name, BufferedImage image, String dom) {
        /** At least 40 pixels within a small distance of {@code hex}: the series was drawn, not only named. */
        void hasColour(String hex, String what) {
            int want = Integer.parseInt(hex.substring(1), 16);
            int n = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    if (close(image.getRGB(x, y), want)) {
                        n++;
                    }
                }
            }
            assertTrue(n >= 40, name + ": " + n + " pixels of " + hex + " (" + what + ") in target/charts/" + name + ".png");
        }

        void saysAll(String... texts) {
            for (String t : texts) {
                assertTrue(dom.contains(t), name + ": '" + t + "' not in the DOM (target/charts/" + name + "-dom.html)");
            }
        }

        double inkedShare() {
            long inked = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int rgb = image.getRGB(x, y);
                    if (((rgb >> 16) & 0xff) < 0xf0 || ((rgb >> 8) & 0xff) < 0xf0 || (rgb & 0xff) < 0xf0) {
                        inked++;
                    }
                }
            }
            return inked / (double) (image.getWidth() * image.getHeight());
        }

        private static boolean close(int rgb, int want) {
            for (int shift = 0; shift <= 16; shift += 8) {
                if (Math.abs(((rgb >> shift) & 0xff) - ((want >> shift) & 0xff)) > 12) {
                    return false;
                }
            }
            return true;
        }
    }
}
