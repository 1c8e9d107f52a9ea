package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.bench.OutcomesCsv;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sim --requests-csv} writes each measured request of the first seed in the pipeline's CSV columns. */
class SimRequestsCsvTest {
    @Test
    void oneRowPerRequestInThePipelinesColumns(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("sim-requests.csv");
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out, true);
        int rc = new CommandLine(new DevMain()).setOut(w).setErr(w).execute("sim", "--catalog", "../models/catalog.yaml",
                "--policies", "fixed-low,fixed-high", "--trace", "steady", "--duration-s", "2", "--seeds", "2", "--seed", "5",
                "--answers", "none", "--charts", dir.resolve("c").toString(), "--summary-json", dir.resolve("s.json").toString(),
                "--requests-csv", csv.toString());
        assertEquals(0, rc, out.toString());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(OutcomesCsv.HEADER, lines.get(0));
        int columns = OutcomesCsv.HEADER.split(",").length;
        long fixedLow = lines.stream().filter(l -> l.startsWith("fixed-low,")).count();
        long fixedHigh = lines.stream().filter(l -> l.startsWith("fixed-high,")).count();
        assertEquals(lines.size() - 1, fixedLow + fixedHigh, "every row belongs to a policy run");
        var summary = dev.sluice.bench.SummaryJson.MAPPER.readTree(dir.resolve("s.json").toFile());
        // the first seed's requests only: as many as that run sent
        assertEquals(summary.at("/policies/fixed-low/per_seed/0/sent").asLong(), fixedLow);
        assertEquals(summary.at("/policies/fixed-high/per_seed/0/sent").asLong(), fixedHigh);
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            if (l.indexOf('"') < 0) { // a quoted reason may hold commas
                assertEquals(columns, f.length, l);
            }
            if (f[5].equals("OK")) {
                assertTrue(Long.parseLong(f[4]) >= Long.parseLong(f[2]), "answered after it was sent: " + l);
                assertEquals(f[0].equals("fixed-low") ? "linear" : "vgg-tta", f[9], l);
            }
        }
    }
}
