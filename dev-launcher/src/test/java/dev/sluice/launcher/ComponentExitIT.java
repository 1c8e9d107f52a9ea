package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A standalone component whose Kafka Streams client dies exits non-zero, so that an orchestrator
 * restarts it, instead of lingering with /health at 503 and serving nothing. The bridge is
 * started, in its own JVM, against a broker without its topics: each stream thread fails with a
 * missing source topic, is replaced a few times ({@code StreamsThreadPolicy}), then the client is
 * shut down and the process exits with status 3, naming the component.
 */
class ComponentExitIT {
    @Test
    void aBridgeWhoseStreamsClientDiedExitsWithStatusThree() throws Exception {
        Path log = Path.of("target", "component-exit-it", "bridge.log").toAbsolutePath();
        Files.deleteIfExists(log);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) { // no Sluice topics on it
            int port = ChildProcess.freePort();
            ChildProcess bridge = new ChildProcess("bridge", List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                    List.of("bridge", "--bootstrap=" + kafka.bootstrap(), "--id=exit-it", "--metrics-port=" + port), log, port)
                    .start();
            try {
                long until = System.currentTimeMillis() + Duration.ofSeconds(150).toMillis();
                while (bridge.alive() && System.currentTimeMillis() < until) {
                    Thread.sleep(200);
                }
                String out = Files.readString(log);
                assertFalse(bridge.alive(), "the bridge still runs with its Streams client dead:\n" + tail(out));
                assertEquals(Shutdown.COMPONENT_DOWN, bridge.exitValue(), tail(out));
                assertTrue(out.contains("bridge: DOWN"), tail(out));
            } finally {
                bridge.kill();
            }
        }
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
