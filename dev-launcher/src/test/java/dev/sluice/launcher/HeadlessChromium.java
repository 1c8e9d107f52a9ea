package dev.sluice.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's chromium run headless on one URL, each run with a fresh profile. Virtual time lets the
 * page's timers run ahead while network fetches are pending in real time, so a page that polls
 * a server pacing its answers (as the dashboard does) sees real seconds pass.
 */
final class HeadlessChromium {
    static final Path DEFAULT = Path.of("/usr/bin/chromium");
    private static final long TIMEOUT_S = 120;
    private final Path binary;
    private final Path logDir;

    HeadlessChromium(Path binary, Path logDir) {
        this.binary = binary;
        this.logDir = logDir;
    }

    /** Where the binary is missing, a message that says how to get it. */
    static String missingMessage(Path binary) {
        return "headless Chromium is needed for the dashboard test and is not at " + binary
                + ": install Debian's chromium (apt-get install -y chromium); .ci/run installs it";
    }

    /** Takes a screenshot of {@code url} after {@code virtualMs} of virtual time. */
    void screenshot(String url, Path png, int width, int height, int virtualMs) throws IOException, InterruptedException {
        Files.deleteIfExists(png);
        run("screenshot", List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--virtual-time-budget=" + virtualMs, url), null);
    }

    /** The serialized DOM of {@code url} after {@code virtualMs} of virtual time. */
    String dumpDom(String url, int virtualMs) throws IOException, InterruptedException {
        Path out = logDir.resolve("chromium-dom.html");
        run("dump-dom", List.of("--dump-dom", "--virtual-time-budget=" + virtualMs, url), out);
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private void run(String what, List<String> args, Path stdout) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("sluice-chromium-");
        Path log = logDir.resolve("chromium-" + what + ".log");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        pb.redirectOutput(stdout == null ? ProcessBuilder.Redirect.appendTo(log.toFile()) : ProcessBuilder.Redirect.to(stdout.toFile()));
        Process p = pb.start();
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new IllegalStateException("chromium " + what + " did not finish in " + TIMEOUT_S + " s; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("chromium " + what + " exited " + p.exitValue() + "; see " + log + ":\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp profile is harmless
        }
    }
}
