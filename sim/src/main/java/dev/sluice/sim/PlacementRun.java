package dev.sluice.sim;

import dev.sluice.decision.placement.Demand;
import dev.sluice.decision.placement.DeviceBudget;
import dev.sluice.decision.placement.Placement;
import dev.sluice.decision.placement.PlacementPolicies;
import dev.sluice.decision.placement.PlacementPolicy;
import dev.sluice.decision.placement.PlacementProblem;
import dev.sluice.decision.placement.VariantCapacity;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.sim.hops.HopLatencies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One placement policy on one seed: the variants' replicas go onto a device budget as the policy
 * places them (on the forecast of the trace: what the trace and the floor phases will offer), and
 * a {@link Simulation} runs the selection policy over those devices ({@link DeviceLayer}),
 * re-placing them as the policy asks.
 *
 * @param config the workload (its replicas are ignored: the placement decides them)
 * @param catalog the catalog costed on the budget's device class ({@code DeviceProfile.applyTo})
 * @param hops the Kafka hops
 * @param env answers and selectors (a shared host does not apply: the devices are the compute)
 * @param selectionPolicy the policy that routes each request (the same for every placement)
 * @param budget the devices
 * @param floors each request's floor (phases of hot floors, or the base floors in turn)
 * @param loadMs how long a replica a re-plan adds takes to load before it serves
 * @param settings the placement policies' settings
 */
public record PlacementRun(SimConfig config, Catalog catalog, HopLatencies hops, SimEnvironment env, String selectionPolicy,
                           DeviceBudget budget, FloorPhases floors, long loadMs, PlacementPolicies.Settings settings) {
    public PlacementRun {
        if (env.host() != null) {
            throw new IllegalArgumentException("placement runs model devices, not a shared host");
        }
        if (loadMs < 0) {
            throw new IllegalArgumentException("model load time must be >= 0, got " + loadMs);
        }
    }

    /** One seed's outcome: the run's metrics and what the devices did. */
    public record Result(RunResult run, double deviceUtilisation, int replans, int moves, List<Map<String, Object>> plans) {}

    /** The variants a placement may use: the task's, costed on the device at the deadline (see {@link VariantCapacity#of}). */
    public List<VariantCapacity> capacities() {
        return capacities(catalog, config.task(), config.deadlineMs());
    }

    /** {@code task}'s variants in {@code catalog} that can be planned for requests of {@code deadlineMs}. */
    public static List<VariantCapacity> capacities(Catalog catalog, String task, long deadlineMs) {
        List<VariantCapacity> out = new ArrayList<>();
        for (Variant v : catalog.forTask(task)) {
            VariantCapacity c = VariantCapacity.of(v, deadlineMs);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** Demand per floor at each second of the trace (rate there times the floor mix there). */
    public List<Demand> forecast() {
        List<Demand> out = new ArrayList<>();
        for (int t = 0; t < Math.ceil(config.durationS()); t++) {
            double s = t + 0.5;
            double rate = config.trace().rateAt(s);
            Map<Double, Double> d = new TreeMap<>();
            floors.mixAt(s).forEach((f, share) -> d.put(f, rate * share));
            out.add(new Demand(d));
        }
        return out;
    }

    /** The mean demand per floor over seconds {@code [from, to)} of the forecast, and the peak of each floor over all. */
    static Demand mean(List<Demand> forecast, int from, int to) {
        Map<Double, Double> sum = new TreeMap<>();
        int n = 0;
        for (int t = Math.max(0, from); t < Math.min(to, forecast.size()); t++, n++) {
            forecast.get(t).perFloor().forEach((f, r) -> sum.merge(f, r, Double::sum));
        }
        int count = Math.max(1, n);
        sum.replaceAll((f, r) -> r / count);
        return new Demand(sum);
    }

    static Demand peak(List<Demand> forecast) {
        Map<Double, Double> max = new TreeMap<>();
        forecast.forEach(d -> d.perFloor().forEach((f, r) -> max.merge(f, r, Math::max)));
        return new Demand(max);
    }

    /** What {@code name} places at the start: on the forecast mean and peak ({@code proteus}: its first window's mean). */
    public Placement initial(String name) {
        PlacementPolicy p = PlacementPolicies.get(name, settings);
        List<Demand> f = forecast();
        int window = p.replanEveryMs() > 0 ? (int) Math.max(1, p.replanEveryMs() / 1000) : f.size();
        Placement placed = p.place(new PlacementProblem(budget, capacities(), mean(f, 0, window), peak(f), null));
        placed.check(budget, capacities());
        return placed;
    }

    public Result run(String name, long seed, Consumer<String> progress) {
        PlacementPolicy p = PlacementPolicies.get(name, settings);
        Placement start = initial(name);
        Simulation sim = new Simulation(config.withReplicas(start.replicas()), catalog, hops, env, selectionPolicy, seed);
        DeviceLayer devices = new DeviceLayer(p, budget, capacities(), config.task(), start, loadMs);
        sim.floors(floors);
        sim.attach(devices);
        RunResult r = sim.run(progress);
        long endNs = sim.warmupNs() + Math.round(config.durationS() * 1e9);
        return new Result(r, devices.utilisation(endNs), devices.replans(), devices.moves(), devices.plans());
    }
}
