package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.strimzi.Manifests.Doc;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboard queries exactly the metrics listed in grafana/metrics-used.txt and kafka-metrics-used.txt. */
class DashboardTest {
    static final Path GRAFANA = Manifests.MODULE.resolve("grafana");
    /** A PromQL identifier naming an app or Kafka metric (label values such as "sluice.dlq" do not match). */
    static final Pattern METRIC = Pattern.compile("(?<![A-Za-z0-9_:.\"-])((?:sluice|kafka)_[A-Za-z0-9_]+)");

    static Set<String> metricsIn(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static Set<String> listed(String file) throws IOException {
        Set<String> s = new TreeSet<>();
        for (String line : Files.readAllLines(GRAFANA.resolve(file))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                s.add(line.trim());
            }
        }
        return s;
    }

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(GRAFANA.resolve("sluice.json").toFile());
    }

    static List<JsonNode> panels(JsonNode dash) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dash.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add); // rows may nest panels
        }
        return out;
    }

    @Test
    void everyQueriedMetricIsListedAndEveryListedMetricIsQueried() throws IOException {
        Set<String> queried = new TreeSet<>();
        for (JsonNode p : panels(dashboard())) {
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText();
                assertFalse(expr.isBlank(), p.path("title").asText() + ": empty expr");
                queried.addAll(metricsIn(expr));
            }
        }
        Set<String> app = listed("metrics-used.txt");
        Set<String> kafka = listed("kafka-metrics-used.txt");
        app.forEach(n -> assertTrue(n.startsWith("sluice_"), "metrics-used.txt holds app metrics only: " + n));
        kafka.forEach(n -> assertTrue(n.startsWith("kafka_"), "kafka-metrics-used.txt: " + n));
        Set<String> expected = new TreeSet<>(app);
        expected.addAll(kafka);
        assertEquals(expected, queried);
    }

    @Test
    void theDashboardHasThePanelsTheIssueAsksFor() throws IOException {
        JsonNode dash = dashboard();
        assertEquals("sluice-overview", dash.path("uid").asText());
        Set<String> titles = new TreeSet<>();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode p : panels(dash)) {
            titles.add(p.path("title").asText().toLowerCase());
            assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id " + p.path("id"));
            assertTrue(p.path("gridPos").has("w") && p.path("gridPos").has("h"), p.path("title").asText());
        }
        for (String want : List.of("offered vs served", "slo attainment", "answered-with-label accuracy", "queue vs compute",
                "batch sizes", "variant mix", "votes and early decisions", "consumer lag", "dead letters")) {
            assertTrue(titles.stream().anyMatch(t -> t.contains(want)), "no panel about '" + want + "' in " + titles);
        }
    }

    @Test
    void alertsQueryOnlyKnownMetrics() throws IOException {
        Set<String> known = listed("metrics-used.txt");
        known.addAll(listed("kafka-metrics-used.txt"));
        known.add("kafka_consumergroup_current_offset"); // Kafka Exporter, used by the stalled-consumer alert
        Set<String> alerts = new TreeSet<>();
        for (Doc d : Manifests.baseOf("PrometheusRule")) {
            PrometheusRule r = Manifests.parse(d, PrometheusRule.class);
            for (RuleGroup g : r.getSpec().getGroups()) {
                for (Rule rule : g.getRules()) {
                    Set<String> used = metricsIn(rule.getExpr().getStrVal());
                    assertTrue(known.containsAll(used), rule.getAlert() + rule.getRecord() + " queries unknown " + used);
                    if (rule.getAlert() != null) {
                        alerts.add(rule.getAlert());
                        assertTrue(rule.getLabels().containsKey("severity"), rule.getAlert());
                        assertTrue(rule.getAnnotations().containsKey("summary"), rule.getAlert());
                    }
                }
            }
        }
        assertTrue(alerts.containsAll(Set.of("SluiceSLOBurnRateFast", "SluiceSLOBurnRateSlow", "SluiceDeadLetters", "SluiceConsumerStalled")),
                alerts.toString());
        String guide = Files.readString(Manifests.REPO.resolve("docs/deploy.md"));
        for (String a : alerts) {
            assertTrue(guide.contains(a), "docs/deploy.md does not explain " + a);
        }
    }
}
