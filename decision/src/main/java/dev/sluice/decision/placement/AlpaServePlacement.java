package dev.sluice.decision.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * AlpaServe-style placement (research/papers.md, section 6): instead of pinning one model per
 * device, spread every model over as many devices as memory allows, so that a burst on one model
 * can borrow the devices that idle models share (statistical multiplexing), and plan with the
 * burst (peak demand), not only the mean rate. The devices' compute is time-shared by whatever
 * they hold. AlpaServe gets there with model parallelism and a simulator-guided search over
 * placements; this zoo's models are a few MB, so only the multiplexing part applies: each
 * replica is a whole model.
 *
 * <p>Greedy, in rounds: the variant with the most peak load per replica so far (device-seconds
 * per second at the peak demand, each floor's peak on the cheapest variant meeting it, divided by
 * its replicas) gets one more replica, on the device holding the fewest replicas that has room
 * for it and does not hold it yet (lowest index on a tie); variants without demand follow, most
 * accurate first, while memory remains (a router may still overflow onto them). It stops when no
 * variant fits anywhere more: with memory to spare, every variant is on every device. Placed
 * once, on the forecast; {@code replanEveryMs} > 0 re-plans it on the observed peak instead.
 */
public record AlpaServePlacement(long replanEveryMs) implements PlacementPolicy {
    public AlpaServePlacement {
        if (replanEveryMs < 0) {
            throw new IllegalArgumentException("alpaserve placement: re-plan period must be >= 0, got " + replanEveryMs);
        }
    }

    @Override
    public String name() {
        return "alpaserve";
    }

    @Override
    public Placement place(PlacementProblem p) {
        List<VariantCapacity> vs = p.fitting();
        int n = p.budget().devices();
        Map<String, Double> rates = p.peak().perCheapestVariant(vs);
        double[] load = new double[vs.size()];
        for (int i = 0; i < vs.size(); i++) {
            load[i] = rates.getOrDefault(vs.get(i).id(), 0.0) / vs.get(i).deviceRps();
        }
        List<List<String>> devices = new ArrayList<>(n);
        double[] free = new double[n];
        for (int d = 0; d < n; d++) {
            devices.add(new ArrayList<>());
            free[d] = p.budget().memoryMb();
        }
        int[] replicas = new int[vs.size()];
        boolean[] full = new boolean[vs.size()]; // no device left with room for it
        // order for variants without demand: most accurate first
        List<Integer> idle = new ArrayList<>();
        for (int i = 0; i < vs.size(); i++) {
            idle.add(i);
        }
        idle.sort(Comparator.comparingDouble((Integer i) -> -vs.get(i).accuracy()).thenComparing(i -> vs.get(i).id()));
        while (true) {
            int pick = -1;
            double best = -1;
            for (int i = 0; i < vs.size(); i++) {
                if (!full[i] && load[i] > 0 && load[i] / (replicas[i] + 1) > best) {
                    best = load[i] / (replicas[i] + 1);
                    pick = i;
                }
            }
            if (pick < 0) {
                for (int i : idle) {
                    if (!full[i] && load[i] == 0) {
                        pick = i;
                        break;
                    }
                }
            }
            if (pick < 0) {
                break;
            }
            VariantCapacity v = vs.get(pick);
            int target = -1;
            for (int d = 0; d < n; d++) {
                if (free[d] + 1e-9 >= v.memoryMb() && !devices.get(d).contains(v.id())
                        && (target < 0 || devices.get(d).size() < devices.get(target).size())) {
                    target = d;
                }
            }
            if (target < 0) {
                full[pick] = true;
                continue;
            }
            devices.get(target).add(v.id());
            free[target] -= v.memoryMb();
            replicas[pick]++;
        }
        devices.forEach(d -> d.sort(null));
        return new Placement(devices);
    }
}
