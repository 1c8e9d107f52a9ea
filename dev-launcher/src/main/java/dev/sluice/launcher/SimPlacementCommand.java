package dev.sluice.launcher;

import dev.sluice.bench.SummaryJson;
import dev.sluice.decision.placement.DeviceBudget;
import dev.sluice.decision.placement.Placement;
import dev.sluice.decision.placement.PlacementPolicies;
import dev.sluice.decision.placement.VariantCapacity;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.decision.trace.Traces;
import dev.sluice.models.Catalog;
import dev.sluice.sim.FloorPhases;
import dev.sluice.sim.PlacementComparison;
import dev.sluice.sim.PlacementRun;
import dev.sluice.sim.SimConfig;
import dev.sluice.sim.SimEnvironment;
import dev.sluice.sim.answers.SampleAnswers;
import dev.sluice.sim.device.DeviceProfile;
import dev.sluice.sim.hops.HopLatencies;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice sim placement}: how many replicas of each variant run on which of a budget of
 * devices ({@code dev.sluice.decision.placement}: even, proteus, alpaserve), compared in the
 * simulator on the same trace and seeds, with co-located replicas time-sharing their device.
 */
@Command(name = "placement", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare placements of the zoo's variants on a budget of devices (even split, Proteus-style re-planned "
                + "allocation, AlpaServe-style shared placement) in the simulator: per placement SLO attainment, effective "
                + "accuracy, p50/p99 latency with 95%% intervals over seeds, device utilisation, re-plans and replica moves."})
final class SimPlacementCommand implements Callable<Integer> {
    @Option(names = "--catalog", defaultValue = Catalog.DEFAULT_FILE, description = "catalog (default: ${DEFAULT-VALUE})")
    Path catalogFile;

    @Option(names = "--task", defaultValue = "fashion-mnist", description = "the task every request asks for (default: ${DEFAULT-VALUE})")
    String task;

    @Option(names = "--devices", defaultValue = "64", description = "devices in the budget (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--device-profile", defaultValue = "gpu-ampere-derived",
            description = "device class: a profile file or a shipped name (cpu-2core-measured, gpu-ampere-derived) (default: ${DEFAULT-VALUE})")
    String deviceProfile;

    @Option(names = "--device-memory-gb", defaultValue = "16",
            description = "memory of each device for models, GB (decimals allowed: the zoo's models take 0.5 to 19.5 MB each) "
                    + "(default: ${DEFAULT-VALUE})")
    double deviceMemoryGb;

    @Option(names = "--placements", split = ",", defaultValue = "even,proteus,alpaserve",
            description = "placements to compare (default: ${DEFAULT-VALUE})")
    List<String> placements;

    @Option(names = "--policy", defaultValue = "infaas",
            description = "the selection policy routing every request, the same for every placement (default: ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--trace", defaultValue = "steady",
            description = "burst, step, diurnal, steady (scaled to what the costliest variant serves on its even share of the "
                    + "devices), or a spec: steady:RATE, burst:BASE:PEAK:FROM:TO, step:LOW:HIGH:AT, diurnal:LOW:HIGH:PERIOD, "
                    + "file:PATH (default: ${DEFAULT-VALUE})")
    String trace;

    @Option(names = "--duration-s", defaultValue = "40", description = "simulated trace length (default: ${DEFAULT-VALUE})")
    double durationS;

    @Option(names = "--deadline-ms", defaultValue = "150", description = "deadline of every request (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--min-accuracy", split = ",", defaultValue = "0,0.85,0.89,0.91",
            description = "base accuracy floors, assigned in turn to the requests that are not hot (default: ${DEFAULT-VALUE})")
    List<Double> floors;

    @Option(names = "--hot-floors", split = ",",
            description = "floors that take turns being hot, one per phase (e.g. 0.935,0.933,0.92,0.93): bursts that hit "
                    + "different variants at different times; default: none (base floors only)")
    List<Double> hotFloors;

    @Option(names = "--hot-share", defaultValue = "0.8", description = "share of requests at the phase's hot floor (default: ${DEFAULT-VALUE})")
    double hotShare;

    @Option(names = "--phase-s", defaultValue = "10", description = "how long each hot floor lasts (default: ${DEFAULT-VALUE})")
    double phaseS;

    @Option(names = "--load-ms", defaultValue = "2000",
            description = "model-load cost of a moved replica: how long after a re-plan a replica it adds starts serving "
                    + "(a stated assumption, see docs/simulator.md) (default: ${DEFAULT-VALUE})")
    long loadMs;

    @Option(names = "--replan-s", defaultValue = "10",
            description = "proteus re-plans on this period from the demand of the last one (the Proteus artifact's 10 s) "
                    + "(default: ${DEFAULT-VALUE})")
    double replanS;

    @Option(names = "--utilisation", defaultValue = "0.8",
            description = "share of each device's profiled throughput proteus plans to use (default: ${DEFAULT-VALUE})")
    double utilisation;

    @Option(names = "--alpaserve-replan-s", defaultValue = "0",
            description = "0: alpaserve is placed once on the forecast; else it re-plans on this period (default: ${DEFAULT-VALUE})")
    double alpaserveReplanS;

    @Option(names = "--hops", defaultValue = "cpu-2core-eosr", description = "Kafka hop latencies: a file or a shipped name (default: ${DEFAULT-VALUE})")
    String hopsFile;

    @Option(names = "--answers", defaultValue = "none",
            description = "none (each answer a coin flip weighted by the catalog accuracy), auto or a cache file (per test "
                    + "image, as sim --answers) (default: ${DEFAULT-VALUE})")
    String answersOption;

    @Option(names = "--seeds", defaultValue = "1", description = "runs per placement, seeds --seed .. --seed + N - 1 (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--seed", defaultValue = "7", description = "first seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "runs in parallel; 0 = one per core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--summary-json", description = "write the comparison JSON here")
    Path summaryJson;

    @Spec
    CommandSpec spec;

    /** Values out of range are usage errors before anything runs. */
    private void check() {
        OptionChecks c = new OptionChecks(spec);
        c.atLeast("--devices", devices, 1).positive("--device-memory-gb", deviceMemoryGb).atLeast("--seeds", seeds, 1)
                .positive("--duration-s", durationS).atLeast("--deadline-ms", deadlineMs, 1).positive("--phase-s", phaseS)
                .atLeast("--load-ms", loadMs, 0).positive("--replan-s", replanS).atLeast("--threads", threads, 0)
                .require(hotShare >= 0 && hotShare <= 1, "--hot-share", hotShare, "in [0, 1]")
                .require(utilisation > 0 && utilisation <= 1, "--utilisation", utilisation, "in (0, 1]")
                .require(alpaserveReplanS >= 0, "--alpaserve-replan-s", alpaserveReplanS, ">= 0")
                .require(PlacementPolicies.NAMES.containsAll(placements), "--placements", placements,
                        "among " + PlacementPolicies.NAMES);
        for (double f : floors) {
            c.require(f >= 0 && f <= 1, "--min-accuracy", f, "in [0, 1]");
        }
        for (double f : hotFloors == null ? List.<Double>of() : hotFloors) {
            c.require(f >= 0 && f <= 1, "--hot-floors", f, "in [0, 1]");
        }
    }

    @Override
    public Integer call() throws Exception {
        check();
        if (System.getProperty("org.slf4j.simpleLogger.log.dev.sluice.decision") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.dev.sluice.decision", "warn");
        }
        long wall0 = System.nanoTime();
        DeviceProfile device = DeviceProfile.load(deviceProfile);
        Catalog catalog = device.applyTo(Catalog.load(catalogFile));
        HopLatencies hops = HopLatencies.load(hopsFile);
        DeviceBudget budget = new DeviceBudget(devices, deviceMemoryGb * 1024, device.device());
        FloorPhases floorPhases = new FloorPhases(floors, hotFloors == null ? List.of() : hotFloors, hotShare, phaseS);
        PlacementPolicies.Settings settings = new PlacementPolicies.Settings(Math.round(replanS * 1000), utilisation,
                Math.round(alpaserveReplanS * 1000));
        SampleAnswers answers = answersOption.equals("none") ? null : SimAnswersCache.load(catalog,
                catalogFile.toAbsolutePath().getParent() == null ? Path.of(".") : catalogFile.toAbsolutePath().getParent(), task,
                answersOption.equals("auto") ? SimAnswersCache.DEFAULT : Path.of(answersOption), System.out::println);

        List<VariantCapacity> caps = PlacementRun.capacities(catalog, task, deadlineMs); // to scale the named traces
        VariantCapacity costliest = caps.stream().min(Comparator.comparingDouble(VariantCapacity::deviceRps)).orElseThrow();
        double capacity = costliest.deviceRps() * devices / caps.size();
        RateTrace t = Traces.named(trace, capacity, durationS);
        double peak = Traces.peakOf(t, durationS);
        SimConfig config = SimConfig.of(task, t, peak, durationS, deadlineMs, floors, Map.of());
        PlacementRun setup = new PlacementRun(config, catalog, hops, new SimEnvironment(null, answers), policy, budget,
                floorPhases, loadMs, settings);
        int threadCount = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();

        System.out.printf(Locale.ROOT, "sim placement: %d devices of %s (%s), %.3f GB each; selection policy %s; task %s%n", devices,
                device.device(), device.kind(), deviceMemoryGb, policy, task);
        System.out.println("variants as planned (largest batch whose p99 is within half the deadline):");
        for (VariantCapacity c : caps) {
            System.out.printf(Locale.ROOT, "  %-14s accuracy %.4f  %6.1f MB  %,12.0f rps per device at batch %d%n", c.id(),
                    c.accuracy(), c.memoryMb(), c.deviceRps(), c.planBatch());
        }
        System.out.printf(Locale.ROOT, "trace %s peaks at %.0f rps (the costliest variant, %s, serves %.0f rps on its even share "
                + "of %d devices); %.0f s; deadline %d ms; %s; model load %d ms; proteus re-plans every %.0f s%n", trace, peak,
                costliest.id(), capacity, devices / caps.size(), durationS, deadlineMs, floorPhases.describe(), loadMs, replanS);
        Map<String, Object> initial = new LinkedHashMap<>();
        for (String p : placements) {
            Placement pl = setup.initial(p);
            initial.put(p, pl.replicas());
            long shared = pl.devices().stream().filter(d -> d.size() > 1).count();
            System.out.printf(Locale.ROOT, "  %-10s starts with %s (%d devices hold several variants)%n", p, pl.replicas(), shared);
        }
        System.out.printf(Locale.ROOT, "%d placements x %d seeds on %d threads%n", placements.size(), seeds, threadCount);

        Map<String, PlacementComparison.Summary> results = PlacementComparison.run(setup, placements, seeds, seed, threadCount,
                System.out::println);
        System.out.println();
        System.out.print(PlacementComparison.table(results));
        double wallS = (System.nanoTime() - wall0) / 1e9;
        System.out.printf(Locale.ROOT, "%.0f s wall%n", wallS);

        if (summaryJson != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("task", task);
            json.put("devices", devices);
            json.put("device_memory_gb", deviceMemoryGb);
            json.put("device_profile", Map.of("device", device.device(), "kind", device.kind(), "source", device.source()));
            json.put("selection_policy", policy);
            json.put("trace", trace);
            json.put("peak_offered_rps", Math.round(peak));
            json.put("duration_s", durationS);
            json.put("deadline_ms", deadlineMs);
            json.put("floors", floorPhases.describe());
            json.put("load_ms", loadMs);
            json.put("proteus_replan_s", replanS);
            json.put("proteus_utilisation", utilisation);
            json.put("alpaserve_replan_s", alpaserveReplanS);
            json.put("hops", Map.of("file", hopsFile, "provenance", hops.provenance()));
            json.put("answers", answers == null ? "none (accuracy coin flips)" : "per test image: " + answers.variants());
            json.put("variants", caps);
            json.put("initial_replicas", initial);
            json.put("seeds", seeds);
            json.put("first_seed", seed);
            Map<String, Object> ps = new LinkedHashMap<>();
            results.forEach((k, v) -> ps.put(k, v.toJson()));
            json.put("placements", ps);
            json.put("wall_s", Math.round(wallS));
            SummaryJson.write(summaryJson, json);
            System.out.println("summary written to " + summaryJson.toAbsolutePath());
        }
        return 0;
    }
}
