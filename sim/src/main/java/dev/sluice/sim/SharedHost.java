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
 * two cores of two threads each), slower still once the cores are oversubscribed (below).
 *
 * <p>{@code aloneSlowdown} is how much slower than its profile a batch runs on this host with the
 * cores to itself (the pipeline idle): a factor, not demand. Measured on the 2-core machine, the
 * heavy variant's batch ran 1.9x its profile with the pipeline idle while its two threads had 1.8
 * cores of CPU between them (per-thread CPU from /proc), so the slowness was not other work taking
 * cores; counting it as background demand (as this model first did) slowed concurrent batches too
 * little.
 *
 * <p>{@code oversubscription}: a batch's intra-op threads meet at a barrier after each operator,
 * so when the cores are oversubscribed the batch waits for whichever of its threads the scheduler
 * left out, and runs slower than a fluid share of the cores. Measured on the 2-core machine
 * (docs/benchmarks/sim-validate/ContentionProbe.java): beside 1, 2 and 3 spinning threads a heavy
 * batch took 1.21, 1.20 and 1.19x (vgg-tta), 1.30, 1.15 and 1.26x (vgg-b-tta) what fluid sharing
 * gives (demand 3, 4 and 5 on 2 cores), 1.22 on average, already in full at one core's excess.
 * Below that nothing was measured; the penalty rises linearly from none at {@code demand =
 * cores} to all of it at {@code cores + 1}. A run's speed is
 * {@code min(1, cores / (demand x penalty(demand))) / aloneSlowdown}.
 *
 * <p>The hops are not stretched: their threads sleep most of the time, and Linux's scheduler runs
 * a waking thread ahead of CPU-bound ones, so a hop's latency depends little on how busy the
 * cores are (measured: the pipeline's median path at load average 13 to 22 on two cores was no
 * longer than the hop file's, measured at 3 to 11; see docs/benchmarks/sim.md). The transport's
 * CPU counts as demand that slows the batches.
 *
 * <p>{@code executorShare}: the part of the transport's cost spent in the executors' own loops
 * (fetching the tasks, producing the outputs, committing), per task. An executor does that work
 * on the thread that runs its batches, between them (what {@code SimEnvironment.turnGapMs} holds),
 * so it never competes with that executor's own running batch: while batches run, the transport
 * charges it only for the tasks that go to replicas not running one. The loaded probe fits the
 * transport's cost beside a light variant's executor, all of whose loop runs beside the probe's
 * batches; charging that part again beside a heavy executor's own batches counted it twice (once
 * as demand, once as the loop's time between batches). Measured on the 2-core machine as the
 * loaded executor's thread's share of the transport's CPU during the loaded probe: 0.058 (sd 0.003
 * over the 153 loaded probes of the validation runs v44 to v60).
 *
 * <p>{@code overlapTransportCpuMs} and {@code overlapOversubscription} take the place of {@code
 * transportCpuMs} and {@code oversubscription} while two or more batches run. {@code sim
 * --validate} fits both on a two-batch probe (the two heaviest variants' full batches at once,
 * idle and beside the peak light load): on the 2-core
 * machine two batches alone shared the cores nearly fluidly (1.02 and 1.15x fluid sharing in two
 * runs, where one batch beside spinning threads paid 1.22x), while beside the transport they
 * slowed more per request of it than one batch does (a cost of 10.43 and 7.59 ms a request
 * against 4.83 and 4.54 fitted on one batch): a batch's threads wait at each operator for whichever
 * was preempted, and with two batches' threads and the transport's waking ones there are more to
 * preempt (docs/benchmarks/sim.md). Three or more batches get the same two parameters, their threads
 * counted in the demand as usual (three at once was not measured).
 *
 * @param cores the host's cores (the machine's, for the embedded pipeline)
 * @param threadsPerRun cores one batch keeps busy (ONNX Runtime intra-op threads; the executors' 2)
 * @param backgroundCores cores spent on the host regardless of the request rate: the idle
 *     pipeline's and other processes' ({@code sim measure-hops}' idle cores; {@code sim --validate}
 *     measures the idle host's effect as {@code aloneSlowdown} instead)
 * @param transportCpuMs CPU time (ms, all threads) the transport spends per request, on top of
 *     the background (measured by {@code sim measure-hops}); 0: none
 * @param aloneSlowdown a batch's mean time against its profile's p50 with the host otherwise idle (>= 1; 1:
 *     the p50 on average). The host probes measure mean batch times, so on a shared host the
 *     simulator draws each batch from its profile centred on the p50 ({@code BatchCost.centredOnMedian}):
 *     drawn from the profile as it is, whose mean lies above the p50, a batch counted the skew twice
 *     (vgg-tta, fixed-high's variant, averages 4.5% above its p50 at batch 8, and its simulated
 *     batches ran that much slower than measured)
 * @param oversubscription how much slower than fluid sharing a batch runs once the demand exceeds
 *     the cores by a core or more (>= 1; 1: fluid sharing)
 * @param overlapTransportCpuMs {@code transportCpuMs} while two or more batches run
 * @param overlapOversubscription {@code oversubscription} while two or more batches run
 * @param executorShare the share of the transport's cost spent in the executors' own loops, per
 *     task (0 to 1; 0: all of it beside every batch)
 */
public record SharedHost(int cores, int threadsPerRun, double backgroundCores, double transportCpuMs, double aloneSlowdown,
        double oversubscription, double overlapTransportCpuMs, double overlapOversubscription, double executorShare) {
    /** {@code oversubscription} as measured on the 2-core machine (see the class comment). */
    public static final double MEASURED_OVERSUBSCRIPTION = 1.22;

    /** {@code executorShare} as measured on the 2-core machine (see the class comment). */
    public static final double MEASURED_EXECUTOR_SHARE = 0.058;

    /**
     * How quickly the request rate the transport costs follows the arrivals (s): about the time a
     * request spends in the transport (its hops take 50 to 100 ms), since the clients, the selector
     * and the aggregator work on a record as it passes. (It was 0.5 s; a burst's first 0.4 s then
     * ran the simulated batches at the quiet rate's speed where the pipeline's slowed at once.)
     */
    static final double RATE_TIME_CONSTANT_S = 0.1;

    public SharedHost {
        if (cores < 1 || threadsPerRun < 1) {
            throw new IllegalArgumentException("a shared host needs at least one core and one thread per run, got " + cores
                    + " cores, " + threadsPerRun + " threads per run");
        }
        if (!(backgroundCores >= 0) || !(transportCpuMs >= 0)) {
            throw new IllegalArgumentException("background cores and transport CPU must be >= 0, got " + backgroundCores
                    + " and " + transportCpuMs);
        }
        if (!(oversubscription >= 1) || !(overlapOversubscription >= 1)) {
            throw new IllegalArgumentException("oversubscribed cores are no faster than fluid sharing: the penalty must be "
                    + ">= 1, got " + oversubscription + " (one batch) and " + overlapOversubscription + " (batches overlapping)");
        }
        if (!(overlapTransportCpuMs >= 0)) {
            throw new IllegalArgumentException("the transport's cost while batches overlap must be >= 0, got "
                    + overlapTransportCpuMs);
        }
        if (!(executorShare >= 0 && executorShare <= 1)) {
            throw new IllegalArgumentException("the executors' share of the transport's cost is a fraction from 0 to 1, got "
                    + executorShare);
        }
        if (!(aloneSlowdown >= 1)) {
            throw new IllegalArgumentException("a batch alone on the host runs at its profile's speed or slower: the slowdown "
                    + "must be >= 1, got " + aloneSlowdown);
        }
    }

    /** A host whose transport competes with every batch in full ({@code executorShare} 0). */
    public SharedHost(int cores, int threadsPerRun, double backgroundCores, double transportCpuMs, double aloneSlowdown,
            double oversubscription, double overlapTransportCpuMs, double overlapOversubscription) {
        this(cores, threadsPerRun, backgroundCores, transportCpuMs, aloneSlowdown, oversubscription, overlapTransportCpuMs,
                overlapOversubscription, 0);
    }

    /** A host charged alike however many batches run. */
    public SharedHost(int cores, int threadsPerRun, double backgroundCores, double transportCpuMs, double aloneSlowdown,
            double oversubscription) {
        this(cores, threadsPerRun, backgroundCores, transportCpuMs, aloneSlowdown, oversubscription, transportCpuMs,
                oversubscription);
    }

    /** A host whose batches alone run at their profile's speed, shared fluidly. */
    public SharedHost(int cores, int threadsPerRun, double backgroundCores, double transportCpuMs) {
        this(cores, threadsPerRun, backgroundCores, transportCpuMs, 1, 1);
    }

    /** A host shared fluidly. */
    public SharedHost(int cores, int threadsPerRun, double backgroundCores, double transportCpuMs, double aloneSlowdown) {
        this(cores, threadsPerRun, backgroundCores, transportCpuMs, aloneSlowdown, 1);
    }

    /**
     * This host with every batch {@code factor} times slower (below 1: faster), down to its
     * profile's speed at the fastest ({@code sim --validate}'s comparison at the pipeline's
     * measured batch speed).
     */
    public SharedHost slowedBy(double factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("a batch speed factor must be > 0, got " + factor);
        }
        return new SharedHost(cores, threadsPerRun, backgroundCores, transportCpuMs, Math.max(1, aloneSlowdown * factor),
                oversubscription, overlapTransportCpuMs, overlapOversubscription, executorShare);
    }

    /** This host with {@code share} of the transport's cost spent in the executors' own loops. */
    public SharedHost withExecutorShare(double share) {
        return new SharedHost(cores, threadsPerRun, backgroundCores, transportCpuMs, aloneSlowdown, oversubscription,
                overlapTransportCpuMs, overlapOversubscription, share);
    }

    /**
     * The cores the running batches and the transport want at {@code requestRate} requests/s, one
     * task each, none of them to a replica running a batch.
     */
    double demand(int runningBatches, double requestRate) {
        return demand(runningBatches, requestRate, requestRate, 0);
    }

    /**
     * The cores the running batches and the transport want at {@code requestRate} requests/s and
     * {@code taskRate} tasks/s, {@code runningTaskRate} of them to the replicas running the batches
     * (whose executors do their part of the transport between batches, not beside them).
     */
    double demand(int runningBatches, double requestRate, double taskRate, double runningTaskRate) {
        double transport = runningBatches >= 2 ? overlapTransportCpuMs : transportCpuMs;
        double beside = (1 - executorShare) * requestRate + executorShare * Math.max(0, taskRate - runningTaskRate);
        return runningBatches * (double) threadsPerRun + backgroundCores + transport * beside / 1000.0;
    }

    /** How fast each run progresses against its profile: {@code 1 / aloneSlowdown} while the demand fits the cores. */
    double speed(int runningBatches, double requestRate) {
        return speed(runningBatches, requestRate, requestRate, 0);
    }

    /** {@link #speed(int, double)} with the task rates of {@link #demand(int, double, double, double)}. */
    double speed(int runningBatches, double requestRate, double taskRate, double runningTaskRate) {
        double penalty = runningBatches >= 2 ? overlapOversubscription : oversubscription;
        return 1 / (contention(cores, demand(runningBatches, requestRate, taskRate, runningTaskRate), penalty)
                * aloneSlowdown);
    }

    /**
     * How many times slower than alone a run goes at {@code demand} cores wanted on {@code cores}:
     * 1 while the demand fits, else {@code demand / cores} times the oversubscription penalty.
     */
    public static double contention(int cores, double demand, double oversubscription) {
        if (demand <= cores) {
            return 1;
        }
        double penalty = 1 + (oversubscription - 1) * Math.min(1, demand - cores);
        return demand / cores * penalty;
    }

    /**
     * The inverse of {@link #contention}: the demand (cores wanted) at which a run goes {@code slowdown}
     * times slower than alone; {@code cores} for a slowdown of 1 or less (the demand fits).
     */
    public static double demandAt(int cores, double slowdown, double oversubscription) {
        if (slowdown <= 1) {
            return cores;
        }
        double lo = cores;
        double hi = cores * slowdown; // contention(hi) >= slowdown, as the penalty is >= 1
        for (int i = 0; i < 60; i++) { // contention rises with the demand
            double mid = (lo + hi) / 2;
            if (contention(cores, mid, oversubscription) < slowdown) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** A one-line description for run headers. */
    public String describe() {
        String d = String.format(java.util.Locale.ROOT, "shared host: %d cores, %d threads per batch, %.2f background cores, "
                + "%.3f ms of transport per request, batches alone %.2fx their profile, oversubscribed %.2fx fluid sharing",
                cores, threadsPerRun, backgroundCores, transportCpuMs, aloneSlowdown, oversubscription);
        if (executorShare > 0) {
            d += String.format(java.util.Locale.ROOT, " (%.3f of it in the executors' loops, not beside their own batches)",
                    executorShare);
        }
        if (overlapTransportCpuMs != transportCpuMs || overlapOversubscription != oversubscription) {
            d += String.format(java.util.Locale.ROOT, "; with batches overlapping %.3f ms of transport per request and %.2fx",
                    overlapTransportCpuMs, overlapOversubscription);
        }
        return d;
    }
}
