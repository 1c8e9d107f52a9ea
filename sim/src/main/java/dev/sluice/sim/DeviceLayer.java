package dev.sluice.sim;

import dev.sluice.decision.placement.Demand;
import dev.sluice.decision.placement.DeviceBudget;
import dev.sluice.decision.placement.Placement;
import dev.sluice.decision.placement.PlacementPolicy;
import dev.sluice.decision.placement.PlacementProblem;
import dev.sluice.decision.placement.VariantCapacity;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Devices under a {@link Simulation}'s replicas, placed by a {@link PlacementPolicy}.
 *
 * <ul>
 *   <li><b>Compute.</b> A device runs one batch at a time; a replica whose batch is ready while
 *       another replica's batch runs on its device waits in the device's first-come queue, and its
 *       batch then takes its profile time (co-located replicas time-share the device whole
 *       batches at a time). One batch at a time rather than processor sharing, by assumption: a
 *       GPU shared by processes without MPS time-slices them, so running two batches together would
 *       add little throughput and delay both; serving them in turn keeps each batch at its profiled
 *       time, the only figure the profiles give (no co-location interference was measured).
 *       The replica's status reports the batch's time including that wait, as an executor timing
 *       its own runs on a shared device would.
 *   <li><b>Memory.</b> The placement must fit each device's memory with the replicas it places
 *       there ({@link Placement#check}); a replica being unloaded keeps its memory while it drains
 *       (not checked).
 *   <li><b>Re-plans.</b> A policy that re-plans is asked every {@code replanEveryMs} with the
 *       demand (requests/s per floor) that arrived since its last plan. A replica the new plan
 *       drops stops taking tasks at once (the selector stops routing to it) and stops reporting;
 *       it finishes what it holds. A replica it adds starts loading its model and takes tasks
 *       {@code loadMs} later (the model-load cost of a move), and reports its status from then on;
 *       until then its variant is served by its replicas elsewhere, or not at all.
 *   <li><b>Routing.</b> The selector decides on the catalog's variants that have a replica taking
 *       tasks (the catalog a deployment publishes lists what it serves).
 * </ul>
 */
final class DeviceLayer {
    private static final class Device {
        final ArrayDeque<Replica> waiting = new ArrayDeque<>();
        Replica running;
        long busyNs;
    }

    private final PlacementPolicy policy;
    private final DeviceBudget budget;
    private final List<VariantCapacity> capacities;
    private final String task;
    private final long loadNs;
    private final Device[] devices;
    private final Map<Replica, Device> deviceOf = new IdentityHashMap<>();
    /** per device, its replica of each variant that has not been unloaded */
    private final List<Map<String, Replica>> live = new ArrayList<>();
    private final Set<Replica> retired = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, List<Replica>> routable = new TreeMap<>();
    private final Map<Double, Long> arrivals = new HashMap<>();
    private Placement placement;
    private Simulation sim;
    private Catalog base;
    private long windowStartNs;
    private int serial;
    private int replans;
    private int moves;
    private final List<Map<String, Object>> plans = new ArrayList<>();

    DeviceLayer(PlacementPolicy policy, DeviceBudget budget, List<VariantCapacity> capacities, String task, Placement initial,
            long loadMs) {
        initial.check(budget, capacities);
        this.policy = policy;
        this.budget = budget;
        this.capacities = List.copyOf(capacities);
        this.task = task;
        this.loadNs = loadMs * 1_000_000L;
        this.placement = initial;
        this.devices = new Device[budget.devices()];
        for (int d = 0; d < devices.length; d++) {
            devices[d] = new Device();
            live.add(new TreeMap<>());
        }
    }

    /** Called by {@link Simulation#attach}: its replicas (made from {@code initial.replicas()}) go onto their devices. */
    void attached(Simulation s, Catalog servable) {
        this.sim = s;
        this.base = servable;
        for (String v : placement.replicas().keySet()) {
            Replica[] rs = s.replicasOf(v);
            List<Integer> on = placement.devicesOf(v);
            if (rs.length != on.size()) {
                throw new IllegalStateException("the simulation has " + rs.length + " replicas of " + v + ", the placement "
                        + on.size() + ": build its config from the placement's replicas");
            }
            for (int i = 0; i < rs.length; i++) {
                deviceOf.put(rs[i], devices[on.get(i)]);
                live.get(on.get(i)).put(v, rs[i]);
            }
            routable.put(v, new ArrayList<>(List.of(rs)));
        }
        for (String v : routable.keySet()) {
            s.route(v, routable.get(v).toArray(new Replica[0]), serving());
        }
        record(0, 0);
        windowStartNs = s.warmupNs();
        if (policy.replanEveryMs() > 0) {
            long at = windowStartNs + policy.replanEveryMs() * 1_000_000L;
            s.at(at, () -> replan(at));
        }
    }

    void onArrival(double floor) {
        arrivals.merge(floor, 1L, Long::sum);
    }

    boolean publishes(Replica r) {
        return !retired.contains(r);
    }

    // ---- compute: one batch at a time per device, first come first served ----

    void start(Replica r, double workMs, long atNs) {
        Device d = deviceOf.get(r);
        r.remainingWorkMs = workMs;
        if (d.running == null) {
            run(d, r, atNs);
        } else {
            d.waiting.addLast(r);
        }
    }

    private void run(Device d, Replica r, long atNs) {
        d.running = r;
        r.doneVersion++;
        long ns = Math.max(1, Math.round(r.remainingWorkMs * 1e6));
        d.busyNs += ns;
        sim.scheduleBatchDone(r, atNs + ns);
    }

    void done(Replica r, long version, long atNs) {
        if (version != r.doneVersion) {
            return;
        }
        Device d = deviceOf.get(r);
        d.running = null;
        if (!d.waiting.isEmpty()) {
            run(d, d.waiting.pollFirst(), atNs);
        }
        r.onBatchDone(atNs);
    }

    // ---- re-plans ----

    private void replan(long atNs) {
        if (sim.finished()) {
            return;
        }
        double windowS = Math.max(1e-3, (atNs - windowStartNs) / 1e9);
        Map<Double, Double> rates = new TreeMap<>();
        arrivals.forEach((f, n) -> rates.put(f, n / windowS));
        arrivals.clear();
        windowStartNs = atNs;
        Demand observed = new Demand(rates);
        Placement next = policy.place(new PlacementProblem(budget, capacities, observed, observed, placement));
        next.check(budget, capacities);
        int moved = apply(next, atNs);
        replans++;
        moves += moved;
        record(atNs, moved);
        long at = atNs + policy.replanEveryMs() * 1_000_000L;
        sim.at(at, () -> replan(at));
    }

    /** Moves from the placement in force to {@code next}: unloads what it drops, loads what it adds; returns the loads. */
    private int apply(Placement next, long atNs) {
        int loads = 0;
        Set<String> changed = new java.util.TreeSet<>();
        for (int d = 0; d < devices.length; d++) {
            List<String> after = next.devices().get(d);
            Map<String, Replica> here = live.get(d);
            for (String v : new ArrayList<>(here.keySet())) {
                if (!after.contains(v)) {
                    Replica r = here.remove(v);
                    retired.add(r);
                    routable.getOrDefault(v, new ArrayList<>()).remove(r);
                    changed.add(v);
                }
            }
            for (String v : after) {
                if (!here.containsKey(v)) {
                    Replica r = sim.newReplica(v, "executor-" + v + "-m" + serial++, atNs + loadNs);
                    deviceOf.put(r, devices[d]);
                    here.put(v, r);
                    loads++;
                    sim.at(atNs + loadNs, () -> loaded(v, r));
                }
            }
        }
        placement = next;
        changed.forEach(this::reroute);
        return loads;
    }

    private void loaded(String variant, Replica r) {
        if (retired.contains(r)) {
            return; // dropped by a later plan before it finished loading
        }
        routable.computeIfAbsent(variant, k -> new ArrayList<>()).add(r);
        reroute(variant);
    }

    private void reroute(String variant) {
        List<Replica> rs = routable.getOrDefault(variant, List.of());
        sim.route(variant, rs.toArray(new Replica[0]), serving());
    }

    /** The catalog the selector decides on: the task's variants with a replica taking tasks, everything else as it was. */
    private Catalog serving() {
        List<Variant> kept = new ArrayList<>();
        Set<String> ids = new java.util.HashSet<>();
        for (Variant v : base.variants()) {
            if (!v.task().equals(task) || !routable.getOrDefault(v.id(), List.of()).isEmpty()) {
                kept.add(v);
                ids.add(v.id());
            }
        }
        return new Catalog(kept, base.ensembles().stream().filter(e -> ids.containsAll(e.members())).toList(),
                base.cascades().stream().filter(c -> ids.containsAll(c.stages())).toList(),
                base.substitutes().stream().filter(x -> ids.contains(x.variant()) && ids.contains(x.substitute())).toList());
    }

    private void record(long atNs, int moved) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at_s", Math.round(Math.max(0, atNs - (sim == null ? 0 : sim.warmupNs())) / 1e6) / 1000.0);
        m.put("replicas", placement.replicas());
        m.put("moves", moved);
        plans.add(m);
    }

    // ---- what the run reports ----

    /** Busy device time over the devices' time from the first arrival to {@code endNs}. */
    double utilisation(long endNs) {
        long busy = 0;
        for (Device d : devices) {
            busy += d.busyNs;
        }
        return busy / ((double) devices.length * Math.max(1, endNs - sim.warmupNs()));
    }

    int replans() {
        return replans;
    }

    int moves() {
        return moves;
    }

    List<Map<String, Object>> plans() {
        return plans;
    }
}
