package dev.sluice.launcher;

import dev.sluice.executor.profile.MemoryProfiler;
import dev.sluice.executor.profile.ModelProfiler;
import dev.sluice.executor.runtime.Device;
import picocli.CommandLine.Option;

/** How models are measured: device, threads, time per batch size, batch sizes. */
final class ProfilingOptions {
    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--threads", defaultValue = "2", description = "intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seconds", defaultValue = "1.5", description = "measuring time per batch size (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--batches", split = ",", defaultValue = "1,2,4,8,16,32,64", description = "batch sizes (default: ${DEFAULT-VALUE})")
    int[] batches;

    Device device() {
        return Device.parse(device);
    }

    ModelProfiler modelProfiler() {
        return new ModelProfiler(device(), threads, batches, seconds);
    }

    MemoryProfiler memoryProfiler() {
        return new MemoryProfiler(device(), threads);
    }
}
