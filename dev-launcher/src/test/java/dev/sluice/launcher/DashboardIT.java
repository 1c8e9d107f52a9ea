package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.MetricsEndpoint;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboards against a running pipeline (one stack for the class, with steady load flowing
 * throughout): every metric the Grafana dashboard and the live dashboard query is on /metrics,
 * and the live dashboard draws every Grafana panel in headless Chromium, with a screenshot in
 * target/dashboard.png.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final Path GRAFANA = Path.of("../strimzi/grafana");
    /** Series from Kafka Exporter (broker side, a separate Deployment), never on a Sluice process's /metrics. */
    private static final Set<String> KAFKA_EXPORTER = Set.of("kafka_consumergroup_lag", "kafka_topic_partition_current_offset");
    private static final Pattern METRIC = Pattern.compile("\\b((?:sluice|kafka)_[a-z0-9_]+)");
    private static final Pattern SELECTOR = Pattern.compile("\\b(sluice_[a-z0-9_]+)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*(=~|=)\\s*\"([^\"]*)\"");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private Metrics metrics;
    private SluiceStack stack;
    private SluiceClient client;
    private BackgroundLoad load;

    @BeforeAll
    void start() throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        metrics = new Metrics();
        stack = SluiceStack.start(null, null, serdes, catalog, CATALOG.toAbsolutePath().getParent(),
                SluiceStack.Options.defaults(), metrics.registry);
        metrics.serve(0, stack::healthy);
        client = SluiceClient.connect(stack.kafka(), serdes);
        // rounds of 25 requests at 25/s, 5 s deadlines, until the class is done
        load = BackgroundLoad.start(new LoadRunner(client, FashionMnist.test()), "dashboard", 25, 25, 5_000);
        assertTrue(load.awaitOk(200, 180_000), "the pipeline should answer 200 requests OK: " + load.describe());
    }

    @AfterAll
    void stop() throws Exception {
        if (load != null) {
            load.close();
        }
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    @Test
    void everyMetricAPanelQueriesIsOnTheScrape() throws Exception {
        Scrape scrape = Scrape.of(get(metrics.url("/metrics")));

        // the lists beside sluice.json
        List<String> missing = new ArrayList<>();
        List<String> listed = new ArrayList<>(lines(GRAFANA.resolve("metrics-used.txt")));
        assertTrue(listed.size() > 10, "metrics-used.txt lists the sluice_ metrics");
        for (String name : lines(GRAFANA.resolve("kafka-metrics-used.txt"))) {
            if (!KAFKA_EXPORTER.contains(name)) {
                listed.add(name);   // the clients' own metrics, from Micrometer's KafkaStreamsMetrics
            }
        }
        for (String name : listed) {
            if (!scrape.hasFamily(name)) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "listed in strimzi/grafana/*metrics-used.txt but not on /metrics");

        // every metric in a panel's expression, and every label value it selects on
        Set<String> inPanels = new TreeSet<>();
        for (JsonNode expr : new ObjectMapper().readTree(GRAFANA.resolve("sluice.json").toFile()).findValues("expr")) {
            String e = expr.asText();
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                inPanels.add(m.group(1));
            }
            Matcher sel = SELECTOR.matcher(e);
            while (sel.find()) {
                Map<String, String> equal = new HashMap<>();
                Map<String, Pattern> regex = new HashMap<>();
                Matcher lm = MATCHER.matcher(sel.group(2));
                while (lm.find()) {
                    if (lm.group(3).contains("$")) {
                        continue;   // a dashboard variable
                    }
                    if (lm.group(2).equals("=")) {
                        equal.put(lm.group(1), lm.group(3));
                    } else {
                        regex.put(lm.group(1), Pattern.compile(lm.group(3)));
                    }
                }
                assertTrue(scrape.hasSeries(sel.group(1), equal, regex),
                        "no series on /metrics matches " + sel.group() + " in: " + e);
            }
        }
        inPanels.removeAll(KAFKA_EXPORTER);
        assertTrue(inPanels.size() > 10, "metrics found in sluice.json: " + inPanels);
        assertTrue(Set.copyOf(listed).containsAll(inPanels),
                "metrics queried by sluice.json but missing from the metrics-used lists: " + difference(inPanels, listed));
        assertEquals(List.of(), inPanels.stream().filter(n -> !scrape.hasFamily(n)).toList(),
                "queried by sluice.json but not on /metrics");

        // the live dashboard's own queries
        Set<String> inPage = new TreeSet<>();
        Matcher m = METRIC.matcher(dashboardPage());
        while (m.find()) {
            inPage.add(m.group(1));
        }
        inPage.removeAll(KAFKA_EXPORTER);
        assertTrue(inPage.size() > 10, "metrics found in dashboard.html: " + inPage);
        assertEquals(List.of(), inPage.stream().filter(n -> !scrape.hasFamily(n)).toList(),
                "queried by the live dashboard but not on /metrics");
    }

    @Test
    void liveDashboardDrawsEveryPanelInHeadlessChromium() throws Exception {
        Path binary = Path.of(System.getProperty("sluice.chromium", HeadlessChromium.DEFAULT.toString()));
        if (!Files.isExecutable(binary)) {
            fail(HeadlessChromium.missingMessage(binary));
        }
        Path target = Path.of("target");
        Files.createDirectories(target);
        HeadlessChromium chromium = new HeadlessChromium(binary, target);
        String url = metrics.url("/");

        Path png = target.resolve("dashboard.png");
        chromium.screenshot(url, png, 1400, 1800, 5000);
        assertTrue(Files.exists(png), "no screenshot at " + png.toAbsolutePath());
        byte[] image = Files.readAllBytes(png);
        assertTrue(image.length > 20_000, "screenshot of " + image.length + " bytes is too small to show the panels");
        ByteBuffer header = ByteBuffer.wrap(image);
        assertEquals(0x89504E47, header.getInt(0), "a PNG");
        assertEquals(1400, header.getInt(16), "PNG width");
        assertEquals(1800, header.getInt(20), "PNG height");

        String dom = chromium.dumpDom(url, 5000);
        Files.writeString(target.resolve("dashboard-dom.html"), dom);
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : new ObjectMapper().readTree(GRAFANA.resolve("sluice.json").toFile()).path("panels")) {
            if (!panel.path("title").asText().isEmpty() && !panel.path("type").asText().equals("row")) {
                titles.add(panel.path("title").asText());
            }
        }
        assertTrue(titles.size() >= 10, "panels in sluice.json: " + titles);
        for (String title : titles) {
            assertTrue(dom.contains("<h2>" + html(title) + "</h2>"), "the live dashboard has no panel titled '" + title
                    + "' (DOM in target/dashboard-dom.html)");
        }
        double served = number(dom, "data-key=\"served\" data-value=\"([^\"]*)\"", "served rate");
        assertTrue(served > 0, "served rate on the dashboard should be above 0 while load flows, was " + served);
        double slo = number(dom, "id=\"value-slo\" data-value=\"([^\"]*)\"", "SLO attainment");
        assertTrue(slo >= 0 && slo <= 100, "SLO attainment in percent, was " + slo);
        double p50 = number(dom, "data-key=\"result p50\" data-value=\"([^\"]*)\"", "end-to-end p50");
        assertTrue(p50 > 0, "end-to-end p50 in ms, was " + p50);
        assertTrue(Pattern.compile("<span id=\"status\"[^>]*>\\d+ series from /metrics").matcher(dom).find(),
                "the status line should count the series of the last scrape (DOM in target/dashboard-dom.html)");
    }

    private static double number(String dom, String regex, String what) {
        Matcher m = Pattern.compile(regex).matcher(dom);
        assertTrue(m.find(), what + " not in the DOM (see target/dashboard-dom.html)");
        try {
            return Double.parseDouble(m.group(1));
        } catch (NumberFormatException e) {
            throw new AssertionError(what + " is not a number: '" + m.group(1) + "'", e);
        }
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static List<String> difference(Set<String> a, List<String> b) {
        return a.stream().filter(n -> !b.contains(n)).toList();
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static String dashboardPage() throws IOException {
        try (InputStream in = MetricsEndpoint.class.getResourceAsStream("dashboard.html")) {
            assertTrue(in != null, "dashboard.html next to MetricsEndpoint");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    /** A Prometheus text scrape: sample names with their labels, and the families named by # TYPE. */
    private record Scrape(Map<String, List<Map<String, String>>> samples, Set<String> families) {
        static Scrape of(String text) {
            Map<String, List<Map<String, String>>> samples = new HashMap<>();
            Set<String> families = new TreeSet<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("# TYPE ")) {
                    families.add(line.split(" ")[2]);
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                if (line.startsWith("#") || !m.find()) {
                    continue;
                }
                Map<String, String> labels = new HashMap<>();
                if (m.group(3) != null) {
                    Matcher l = LABEL.matcher(m.group(3));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                samples.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
            }
            return new Scrape(samples, families);
        }

        /** The name as a sample, or as a family whose samples take the _bucket, _count, _sum or _total suffix. */
        boolean hasFamily(String name) {
            if (samples.containsKey(name) || families.contains(name)) {
                return true;
            }
            for (String suffix : List.of("_bucket", "_count", "_sum", "_total")) {
                if (name.endsWith(suffix) && families.contains(name.substring(0, name.length() - suffix.length()))) {
                    return true;
                }
            }
            return false;
        }

        boolean hasSeries(String name, Map<String, String> equal, Map<String, Pattern> regex) {
            for (Map<String, String> labels : samples.getOrDefault(name, List.of())) {
                boolean ok = true;
                for (var e : equal.entrySet()) {
                    ok &= e.getValue().equals(labels.getOrDefault(e.getKey(), ""));
                }
                for (var e : regex.entrySet()) {
                    ok &= e.getValue().matcher(labels.getOrDefault(e.getKey(), "")).matches();
                }
                if (ok) {
                    return true;
                }
            }
            return false;
        }
    }
}
