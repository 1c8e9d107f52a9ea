package dev.sluice.executor.runtime;

/** Which execution provider to ask for. AUTO tries CUDA and falls back to CPU. */
public enum Device {
    AUTO, CPU, CUDA;

    public static Device parse(String s) {
        try {
            return valueOf(s.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device must be auto, cpu or cuda, got " + s);
        }
    }
}
