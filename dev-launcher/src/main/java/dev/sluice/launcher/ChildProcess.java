package dev.sluice.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Sluice command ({@code broker}, {@code selector}, {@code executor}, ...) in a JVM of its own,
 * started from this JVM's class path, its output appended to a log file: how the failover
 * benchmark runs each component as a separate process, kills it with SIGKILL and starts a
 * replacement with the same arguments.
 */
final class ChildProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    private final List<String> command;
    private final Path log;
    private final int metricsPort;
    private Process process;

    /**
     * @param jvmOptions options of the child JVM (heap, JIT)
     * @param args the sluice command and its options
     * @param metricsPort the port its /health is served on, or -1 when it serves none
     */
    ChildProcess(String name, List<String> jvmOptions, List<String> args, Path log, int metricsPort) {
        this.name = name;
        this.log = log;
        this.metricsPort = metricsPort;
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(jvmOptions);
        c.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        c.add("-Dorg.slf4j.simpleLogger.log.dev.sluice=info");
        c.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        c.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(Main.class.getName());
        c.addAll(args);
        this.command = List.copyOf(c);
    }

    /** Starts it (again, after a kill: the same command, the same log appended to). */
    synchronized ChildProcess start() {
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        return this;
    }

    /** SIGKILL: no shutdown hook, no commit, no leave-group, no transaction abort. */
    synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** The exit status, or -1 while it runs. */
    synchronized int exitValue() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    /** Whether /health answers 200 now. */
    boolean healthy() {
        if (metricsPort < 0) {
            return alive();
        }
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + metricsPort + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until /health answers 200; fails when the process ends first or the time runs out. */
    void awaitHealthy(Duration timeout) {
        long until = System.currentTimeMillis() + timeout.toMillis();
        while (!healthy()) {
            if (!alive()) {
                throw new IllegalStateException(name + " exited with status " + exitValue() + "; see " + log);
            }
            if (System.currentTimeMillis() > until) {
                throw new IllegalStateException(name + " not healthy within " + timeout.toSeconds() + " s; see " + log);
            }
            sleep(100);
        }
    }

    /** SIGTERM, then SIGKILL after 20 s. */
    @Override
    public synchronized void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
