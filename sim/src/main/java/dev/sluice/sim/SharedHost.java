package dev.sluice.sim;

/**
 * How the executors of one host share its cores, for {@link Simulation}: the embedded pipeline
 * runs every executor, the selector, the aggregator, the broker and the client on the same few
 * cores, so a heavy variant's batch slows every other batch and the transport with it.
 *
 * <p>The model is processor sharing by demand. A running batch wants {@code threadsPerRun}
 * cores (the executor's ONNX Runtime intra-op threads; its profile time was measured with them
 * on an otherwise idle machine); the transport wants {@code backgroundCores} (what the host
 * spends whatever the load: the pipeline's idle polling and commits, and other processes) plus
 * {@code transportCpuMs} of CPU per request at the recent request rate. When the demand exceeds
 * the cores, every run progresses at {@code cores / demand} of its profile speed (a batch that
 * would take 10 ms alone takes 20 ms while another batch of the same demand runs beside it on
 * two cores of two threads each), and each Kafka hop is stretched by its share of the
 * transport's CPU ({@code transportCpuMs / HOPS_PER_REQUEST}) times {@code demand/cores - 1}.
 *
 * @param cores the host's cores (the machine's, for the embedded pipeline)
 * @param threadsPerRun cores one batch keeps busy (ONNX Runtime intra-op threads; the executors' 2)
 * @param backgroundCores cores spent on the host regardless of the request rate: the idle
 *     pipeline's and other processes' (measured beside a run: see {@code sim --validate})
 * @param transportCpuMs CPU time (ms, all threads) the transport spends per request, on top of
 *     the background (measured by {@code sim measure-hops}); 0: none
 */
public record SharedHost(int cores, int threadsPerRun, double backgroundCores, double transportCpuMs) {
    /** Hops a served request crosses whose CPU the transport figure covers: request, task, output, result. */
    static final int HOPS_PER_REQUEST = 4;
    /** How quickly the request rate the transport costs follows the arrivals (s). */
    static final double RATE_TIME_CONSTANT_S = 0.5;

    public SharedHost {
        if (cores < 1 || threadsPerRun < 1) {
            throw new IllegalArgumentException("a shared host needs at least one core and one thread per run, got " + cores
                    + " cores, " + threadsPerRun + " threads per run");
        }
        if (!(backgroundCores >= 0) || !(transportCpuMs >= 0)) {
            throw new IllegalArgumentException("background cores and transport CPU must be >= 0, got " + backgroundCores
                    + " and " + transportCpuMs);
        }
    }

    /** The cores the running batches and the transport want at {@code requestRate} requests/s. */
    double demand(int runningBatches, double requestRate) {
        return runningBatches * (double) threadsPerRun + backgroundCores + transportCpuMs * requestRate / 1000.0;
    }

    /** How fast each run progresses against its profile: 1 while the demand fits the cores. */
    double speed(int runningBatches, double requestRate) {
        return Math.min(1.0, cores / demand(runningBatches, requestRate));
    }

    /** What a hop adds (ms) to its measured latency at this demand: its CPU share, stretched. */
    double hopStretchMs(int runningBatches, double requestRate) {
        double over = demand(runningBatches, requestRate) / cores - 1;
        return over <= 0 ? 0 : transportCpuMs / HOPS_PER_REQUEST * over;
    }

    /** A one-line description for run headers. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "shared host: %d cores, %d threads per batch, %.2f background cores, "
                + "%.3f ms transport CPU per request", cores, threadsPerRun, backgroundCores, transportCpuMs);
    }
}
