package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * --registry is checked at start: a URL that cannot be Sluice's registry is a usage error before
 * anything connects, and a registry that cannot be reached stops the command with the URL named
 * before any serde is built (RegistryProbeTest has the probe's other failures).
 */
class RegistryOptionTest {
    private record Run(int code, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        PrintWriter w = new PrintWriter(err, true);
        CommandLine cl = Main.commandLine(new Main(), null).setOut(new PrintWriter(new StringWriter())).setErr(w)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    w.println("sluice: " + e.getMessage());
                    return 1;
                });
        return new Run(cl.execute(args), err.toString());
    }

    @Test
    void v2AndConfluentCompatibleUrlsAreUsageErrorsNamingTheUrlToUse() {
        for (String command : new String[] {"selector", "aggregator", "bridge", "executor", "gateway"}) {
            long t = System.nanoTime();
            Run r = run(command, "--bootstrap", "localhost:1", "--registry", "http://registry:8080/apis/registry/v2");
            assertEquals(2, r.code(), command + ": " + r.err());
            assertTrue(r.err().startsWith("Invalid value for option '--registry': http://registry:8080/apis/registry/v2 is "
                    + "Apicurio's v2 API; Sluice's serdes speak Apicurio Registry 3's native API: use "
                    + "http://registry:8080/apis/registry/v3"), command + ": " + r.err());
            assertTrue((System.nanoTime() - t) / 1e9 < 5, command + " refused at once, before probing localhost:1");
        }
        Run ccompat = run("gateway", "--bootstrap", "localhost:1", "--registry", "http://registry:8080/apis/ccompat/v7");
        assertEquals(2, ccompat.code(), ccompat.err());
        assertTrue(ccompat.err().contains("is Apicurio's Confluent-compatible API"), ccompat.err());
    }

    @Test
    void registryConfigWithTheFingerprintModeIsAUsageError(@TempDir Path tmp) throws Exception {
        Path config = Files.writeString(tmp.resolve("registry.properties"), "apicurio.registry.auth.username=u\n");
        Run r = run("gateway", "--bootstrap", "localhost:1", "--registry-config", config.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'--registry-config': " + config + " (must be given with an --registry URL only"), r.err());
    }

    @Test
    void anUnreachableRegistryStopsTheGatewayBeforeItConnects() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/apis/registry/v3";
        Run r = run("gateway", "--bootstrap", "localhost:1", "--registry", url);
        assertEquals(1, r.code(), r.err());
        assertEquals("sluice: cannot reach the schema registry at " + url + " (connection refused by 127.0.0.1:" + port
                + "); check --registry", r.err().strip());
    }
}
