package dev.sluice.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

class ChartsTest {
    @Test
    void theParetoFrontIsWhatNothingCheaperMatches() {
        Charts.Point a = new Charts.Point("linear", 0.1, 0.84);
        Charts.Point b = new Charts.Point("cnn-small", 1.0, 0.91);
        Charts.Point c = new Charts.Point("vgg", 5.0, 0.93);
        Charts.Point dominated = new Charts.Point("mlp", 1.2, 0.88);
        Charts.Point costlier = new Charts.Point("vgg-tta", 9.0, 0.93);
        Charts.Point nan = new Charts.Point("broken", Double.NaN, 0.99);
        assertEquals(List.of(a, b, c), Pareto.front(List.of(c, dominated, costlier, a, b, nan)));
        assertEquals(List.of(), Pareto.front(List.of()));
    }

    /** The SVG is well-formed XML whose text (title, axis labels with units, ticks, legend) is text a reader can find. */
    @Test
    void lineChartsCarryAxesTicksUnitsAndALegendAsText() throws Exception {
        String svg = Charts.svg(List.of(Charts.lines("served on time", "time, s", "requests/s", List.of(
                new Charts.Series("infaas", new double[] {0, 1, 2, 3}, new double[] {10, 20, Double.NaN, 40}),
                new Charts.Series("fixed-low", new double[] {0, 1, 2, 3}, new double[] {5, 6, 7, 8}, new double[] {1, 1, 1, 1}, "#000000")),
                null, null)));
        List<String> text = texts(svg);
        for (String expected : List.of("served on time", "time, s", "requests/s", "infaas", "fixed-low")) {
            assertTrue(text.contains(expected), expected + " in " + text);
        }
        assertTrue(text.stream().filter(t -> t.matches("-?[0-9.,]+")).count() >= 6, "numeric ticks on both axes: " + text);
        assertTrue(svg.contains("rgb(0,0,0)") || svg.contains("#000000"), "the series' own colour");
    }

    @Test
    void barAndParetoChartsLabelTheirData() throws Exception {
        Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
        bars.put("exactly-once", Map.of("pipeline", 120.5));
        bars.put("at-least-once", Map.of("pipeline", Double.NaN));
        List<String> text = texts(Charts.svg(List.of(Charts.bars("throughput", "delivery mode", "requests/s", bars),
                Charts.paretoScatter("accuracy against compute", "compute per request, ms", "accuracy, %",
                        List.of(new Charts.Point("vgg", 5, 93), new Charts.Point("mlp", 2, 80))))));
        for (String expected : List.of("throughput", "delivery mode", "exactly-once", "at-least-once", "120.5", " vgg", " mlp",
                "compute per request, ms", "accuracy, %")) {
            assertTrue(text.contains(expected), expected + " in " + text);
        }
        assertTrue(text.stream().anyMatch(t -> t.startsWith("Pareto front")), "the front is in the legend: " + text);
    }

    @Test
    void mismatchedSeriesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Charts.Series("x", new double[] {1}, new double[] {1, 2}));
    }

    static List<String> texts(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // the SVG DOCTYPE, never fetched
        Document d = f.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
        NodeList n = d.getElementsByTagName("text");
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < n.getLength(); i++) {
            out.add(n.item(i).getTextContent());
        }
        return out;
    }
}
