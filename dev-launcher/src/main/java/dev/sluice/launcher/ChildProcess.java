package dev.sluice.launcher;

import dev.sluice.bench.overhead.ThreadCpu;
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
 * started from this JVM's class path, its output appended to a log file: how the failover and chaos
 * benchmarks run each component as a separate process, kill it with SIGKILL and start a
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
        c.add(DevMain.class.getName());
        c.addAll(args);
        this.command = List.copyOf(c);
    }

    /** A component's JVM in the benchmarks: a small heap, C1 only, serial GC (many share two cores). */
    static final List<String> COMPONENT_JVM = List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-XX:CICompilerCount=1");

    /**
     * A Sluice component ({@code args}, then {@code common}) in {@link #COMPONENT_JVM}, serving
     * /health and /metrics on a free port, logging to {@code dir/name.log}; not started yet.
     */
    static ChildProcess component(String name, Path dir, List<String> common, List<String> args) {
        int port = freePort();
        List<String> a = new ArrayList<>(args);
        a.addAll(common);
        a.add("--metrics-port=" + port);
        return new ChildProcess(name, COMPONENT_JVM, a, dir.resolve(name + ".log"), port);
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

    /**
     * Heap in use now, from the Micrometer gauge {@code jvm_memory_used_bytes{area="heap"}} on
     * its /metrics (summed over the heap pools); -1 when it serves none or does not answer.
     */
    long heapUsedBytes() {
        if (metricsPort < 0) {
            return -1;
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + metricsPort + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? heapUsed(r.body()) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The sum of {@code jvm_memory_used_bytes} over the heap pools in a Prometheus text exposition; -1 when absent. */
    static long heapUsed(String exposition) {
        double sum = 0;
        boolean seen = false;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                seen = true;
            }
        }
        return seen ? (long) sum : -1;
    }

    /** Resident memory of the process now (Linux {@code /proc/PID/status} VmRSS), or -1. */
    synchronized long rssBytes() {
        if (process == null || !process.isAlive()) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * CPU time the process has used so far, user and system (Linux {@code /proc/PID/stat}, at the
     * usual 100 ticks a second), or -1.
     */
    synchronized double cpuSeconds() {
        if (process == null || !process.isAlive()) {
            return -1;
        }
        try {
            return ThreadCpu.parseStat(Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"))).ticks()
                    / ThreadCpu.TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Waits until its log has a line starting with {@code prefix} and returns the rest of that line. */
    String awaitLogLine(String prefix, Duration timeout) {
        return awaitLogLine(prefix, 1, timeout);
    }

    /**
     * Waits until its log has {@code n} lines starting with {@code prefix} (the log is appended to
     * across restarts: the n-th is the n-th start's) and returns the rest of the last one.
     */
    String awaitLogLine(String prefix, int n, Duration timeout) {
        long until = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < until) {
            List<String> found = logLines(prefix);
            if (found.size() >= n) {
                return found.get(n - 1).substring(prefix.length()).trim();
            }
            if (!alive()) {
                throw new IllegalStateException(name + " exited with status " + exitValue() + "; see " + log);
            }
            sleep(200);
        }
        throw new IllegalStateException(name + " printed no '" + prefix + "' within " + timeout.toSeconds() + " s; see " + log);
    }

    /** The lines of its log that start with {@code prefix}. */
    List<String> logLines(String prefix) {
        try {
            return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
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

    /** The machine's 1-minute load average (other work on it shows here), or -1 where unknown. */
    static double loadAverage() {
        double oneMinute = SimMeasureHopsCommand.loadAverage()[0];
        return Double.isNaN(oneMinute) ? -1 : oneMinute;
    }

    /** Deletes a benchmark's work directory and everything in it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
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
