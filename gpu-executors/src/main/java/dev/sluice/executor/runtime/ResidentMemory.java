package dev.sluice.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resident set size of this process, from /proc/self/status (Linux). ONNX Runtime does not
 * report what a session holds, so a model's memory is measured as the RSS growth across its load
 * and warm-up.
 */
public final class ResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentMemory() {}

    /** VmRSS in bytes, or -1 where /proc is not there (not Linux). */
    public static long rssBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return parseKb(line) * 1024;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long parseKb(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        if (parts.length != 2 || !parts[1].equals("kB")) {
            throw new IllegalArgumentException("unexpected /proc/self/status line: " + line);
        }
        return Long.parseLong(parts[0]);
    }
}
