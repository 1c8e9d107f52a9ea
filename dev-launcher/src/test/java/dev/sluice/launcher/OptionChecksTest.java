package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.common.KafkaSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Options out of range are usage errors before anything starts; help has no format warnings. */
class OptionChecksTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        return runWith(null, args);
    }

    private static Run runWith(Path config, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new DevMain(), config).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aNegativeRateIsRefusedBeforeTheStackStarts() {
        long t = System.nanoTime();
        Run r = run("up", "--rate", "-5");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("Invalid value for option '--rate': -5.0 (must be > 0)"), r.err());
        assertTrue((System.nanoTime() - t) / 1e9 < 5, "refused at once");
    }

    @Test
    void otherRangesToo() {
        assertTrue(run("up", "--min-accuracy", "0.5,1.5").err().contains("'--min-accuracy': 1.5 (must be in [0, 1])"));
        assertTrue(run("up", "--threads", "0").err().contains("'--threads': 0 (must be >= 1)"));
        assertTrue(run("up", "--delivery", "twice").err().contains("'--delivery': twice"));
        assertTrue(run("up", "--serve", "--http-port", "70000").err().contains("'--http-port': 70000"));
        assertTrue(run("gateway", "--bootstrap", "localhost:1", "--max-in-flight", "0").err()
                .contains("'--max-in-flight': 0 (must be >= 1)"));
    }

    @Test
    void everyComponentChecksTheSharedOptionsBeforeConnecting() {
        for (String command : new String[] {"selector", "aggregator", "bridge", "executor"}) {
            long t = System.nanoTime();
            Run r = run(command, "--bootstrap", "localhost:1", "--commit-interval-ms", "0");
            assertEquals(2, r.code(), command + ": " + r.err());
            assertTrue(r.err().contains("'--commit-interval-ms': 0 (must be >= 1)"), command + ": " + r.err());
            assertTrue((System.nanoTime() - t) / 1e9 < 5, command + " refused at once, before probing localhost:1");
        }
        assertTrue(run("selector", "--bootstrap", "localhost:1", "--prefix", "a b").err().contains("'--prefix': 'a b'"));
    }

    @Test
    void aBrokerNodeOfItsOwnMustBeOneOfTheClusterOnAFixedPort() {
        Run outside = run("broker", "--nodes", "3", "--node", "3");
        assertEquals(2, outside.code(), outside.err());
        assertTrue(outside.err().contains("'--node': 3 (must be one of 0 to --nodes minus 1)"), outside.err());
        assertTrue(run("broker", "--nodes", "3", "--node", "1", "--port", "0").err().contains("'--port': 0 (must be fixed"));
        assertTrue(run("broker", "--nodes", "3", "--node", "1", "--secure").err()
                .contains("'--secure': true (must be left out with --node"));
    }

    @Test
    void helpListsTheRegisteredPoliciesAndDeliveryModes() {
        String help = run("selector", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("exactly-once, exactly-once-results, at-least-once:"), help);
        for (String policy : new PolicyNames()) {
            assertTrue(help.contains(policy), policy + " missing from: " + help);
        }
    }

    @Test
    void simPlacementRefusesABudgetOrPlacementItCannotRun() {
        assertTrue(run("sim", "placement", "--devices", "0").err().contains("'--devices': 0 (must be >= 1)"));
        assertTrue(run("sim", "placement", "--device-memory-gb", "0").err().contains("'--device-memory-gb': 0.0 (must be > 0)"));
        assertTrue(run("sim", "placement", "--hot-share", "1.5").err().contains("'--hot-share': 1.5 (must be in [0, 1])"));
        Run r = run("sim", "placement", "--placements", "even,nexus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'--placements': [even, nexus] (must be among [even, proteus, alpaserve])"), r.err());
    }

    @Test
    void aPrefixKafkaWouldRefuseIsAUsageError() {
        assertTrue(run("up", "--prefix", "team a").err().contains("'--prefix': 'team a' (must be ASCII letters"));
        assertTrue(run("up", "--prefix", "a.", "--group-prefix", "b/").err().contains("'--group-prefix': 'b/'"));
    }

    @Test
    void theConfigFileSetsDefaultsForEveryCommandAndArgumentsOverrideThem(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("sluice.properties"), "prefix=team a\nsluice.up.threads=0\n");
        Run r = runWith(config, "up");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'--threads': 0"), r.err()); // the command-qualified key
        r = runWith(config, "up", "--threads", "1");
        assertTrue(r.err().contains("'--prefix': 'team a'"), r.err()); // the plain key
        assertThrows(IllegalArgumentException.class, () -> Main.commandLine(dir.resolve("missing.properties")));
    }

    @Test
    void helpPrintsNoFormatWarnings() {
        for (String[] args : new String[][] {{"up", "--help"}, {"gateway", "--help"}, {"bench", "gateway", "--help"}}) {
            Run r = run(args);
            assertEquals(0, r.code());
            assertFalse(r.err().contains("[picocli WARN]"), r.err());
            assertTrue(r.out().contains("Usage:"));
        }
        assertTrue(run("up", "--help").out().contains("from 40% to 55%"));
    }

    @Test
    void anUnreachableBootstrapFailsFastNamingTheAddressAndKafkaConfig() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String address = "localhost:" + port;
        long t = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KafkaProbe.check(KafkaSettings.of(address)));
        assertTrue((System.nanoTime() - t) / 1e9 < 10, "bounded");
        assertTrue(e.getMessage().startsWith("cannot reach Kafka at " + address), e.getMessage());
        assertTrue(e.getMessage().contains("--kafka-config"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KafkaProbe.check(KafkaSettings.of("nohost")))
                .getMessage().contains("is not HOST:PORT"));
    }
}
