package dev.sluice.bench.overhead;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads from /proc/self/task/N/stat (Linux; Java and native
 * threads alike; native threads such as ONNX Runtime's pool inherit the name of the thread that
 * created them, e.g. {@code java} for the main thread). Two snapshots give CPU per thread group
 * over a window: where the time went.
 */
public final class ThreadCpu {
    /** Clock ticks per second of utime/stime; 100 on every common Linux. */
    public static final double TICKS_PER_SECOND = 100;

    /** One thread: its name (15 characters at most) and user+system ticks so far. */
    public record ThreadTicks(String name, long ticks) {}

    private ThreadCpu() {}

    /** tid -> ticks of every thread of this process now; empty where /proc is not there. */
    public static Map<Integer, ThreadTicks> snapshot() {
        Map<Integer, ThreadTicks> m = new HashMap<>();
        Path dir = Path.of("/proc/self/task");
        if (!Files.isDirectory(dir)) {
            return m;
        }
        try (Stream<Path> tasks = Files.list(dir)) {
            tasks.forEach(t -> {
                try {
                    ThreadTicks tt = parseStat(Files.readString(t.resolve("stat")));
                    m.put(Integer.parseInt(t.getFileName().toString()), tt);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between list and read
                }
            });
        } catch (IOException e) {
            return m;
        }
        return m;
    }

    /** Parses one /proc/.../stat line: "tid (comm) state ppid ... utime stime ...". */
    public static ThreadTicks parseStat(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String comm = stat.substring(open + 1, close);
        String[] f = stat.substring(close + 2).trim().split(" ");
        // after the comm: f[0] is field 3 (state); utime is field 14, stime field 15
        return new ThreadTicks(comm, Long.parseLong(f[11]) + Long.parseLong(f[12]));
    }

    /** The most characters of a thread's name Linux keeps (/proc/.../comm). */
    static final int COMM_LENGTH = 15;

    /** The group {@link #coresByGroup} puts a Java thread of this name in: its first 15 characters, grouped. */
    public static String groupOfThread(String javaName) {
        return group(javaName.length() > COMM_LENGTH ? javaName.substring(0, COMM_LENGTH) : javaName);
    }

    /** A thread's group: its name without a trailing number (GC Thread#1, StreamThread-2, ...). */
    static String group(String name) {
        return name.replaceAll("[-#_ ]*\\d+$", "").replaceAll("[-_ ]+$", "");
    }

    /**
     * CPU used per thread group between two snapshots, in cores (CPU seconds per second of
     * {@code seconds}), largest first, groups under {@code minCores} folded into "other".
     */
    public static Map<String, Double> coresByGroup(Map<Integer, ThreadTicks> before, Map<Integer, ThreadTicks> after,
            double seconds, double minCores) {
        Map<String, Long> ticks = new HashMap<>();
        after.forEach((tid, t) -> {
            ThreadTicks b = before.get(tid);
            long used = t.ticks() - (b != null && b.name().equals(t.name()) ? b.ticks() : 0);
            if (used > 0) {
                ticks.merge(group(t.name()), used, Long::sum);
            }
        });
        Map<String, Double> out = new LinkedHashMap<>();
        double[] other = {0};
        ticks.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> {
            double cores = e.getValue() / TICKS_PER_SECOND / seconds;
            if (cores >= minCores) {
                out.put(e.getKey(), Math.round(cores * 1000) / 1000.0);
            } else {
                other[0] += cores;
            }
        });
        if (other[0] > 0) {
            out.put("other", Math.round(other[0] * 1000) / 1000.0);
        }
        return out;
    }
}
