package dev.sluice.decision.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which variants run on which device: {@code devices.get(d)} lists the variants that device
 * {@code d} holds, one replica each (an empty list: the device is idle). Replicas on one device
 * share its memory and its compute.
 */
public record Placement(List<List<String>> devices) {
    public Placement {
        List<List<String>> copy = new ArrayList<>(devices.size());
        for (List<String> d : devices) {
            if (new HashSet<>(d).size() != d.size()) {
                throw new IllegalArgumentException("a device holds at most one replica of a variant, got " + d);
            }
            copy.add(List.copyOf(d));
        }
        devices = List.copyOf(copy);
    }

    /** {@code n} devices, none holding anything. */
    public static Placement empty(int n) {
        List<List<String>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(List.of());
        }
        return new Placement(out);
    }

    /** Replicas per variant (variants placed nowhere are absent). */
    public Map<String, Integer> replicas() {
        Map<String, Integer> out = new TreeMap<>();
        devices.forEach(d -> d.forEach(v -> out.merge(v, 1, Integer::sum)));
        return out;
    }

    /** The devices holding {@code variant}, in order. */
    public List<Integer> devicesOf(String variant) {
        List<Integer> out = new ArrayList<>();
        for (int d = 0; d < devices.size(); d++) {
            if (devices.get(d).contains(variant)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Replicas this placement starts that {@code previous} did not run on the same device (each costs a model load). */
    public int movesFrom(Placement previous) {
        int moves = 0;
        for (int d = 0; d < devices.size(); d++) {
            List<String> before = previous != null && d < previous.devices.size() ? previous.devices.get(d) : List.of();
            for (String v : devices.get(d)) {
                if (!before.contains(v)) {
                    moves++;
                }
            }
        }
        return moves;
    }

    /** Memory the replicas on device {@code d} take (MB). */
    public double memoryMb(int d, Map<String, VariantCapacity> variants) {
        double mb = 0;
        for (String v : devices.get(d)) {
            mb += variants.get(v).memoryMb();
        }
        return mb;
    }

    /**
     * Throws unless this placement fits {@code budget} (no more devices, no device over its memory)
     * and places only {@code variants}.
     */
    public void check(DeviceBudget budget, List<VariantCapacity> variants) {
        if (devices.size() > budget.devices()) {
            throw new IllegalStateException("placement uses " + devices.size() + " devices, budget " + budget.devices());
        }
        Map<String, VariantCapacity> byId = byId(variants);
        for (int d = 0; d < devices.size(); d++) {
            for (String v : devices.get(d)) {
                if (!byId.containsKey(v)) {
                    throw new IllegalStateException("device " + d + " holds " + v + ", which is not a plannable variant");
                }
            }
            double mb = memoryMb(d, byId);
            if (mb > budget.memoryMb() + 1e-9) {
                throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                        "device %d holds %s: %.1f MB, over its %.1f MB", d, devices.get(d), mb, budget.memoryMb()));
            }
        }
    }

    static Map<String, VariantCapacity> byId(List<VariantCapacity> variants) {
        Map<String, VariantCapacity> out = new HashMap<>();
        variants.forEach(v -> out.put(v.id(), v));
        return out;
    }

    /**
     * One variant per device with {@code counts} replicas each, keeping every device whose
     * variant still has a replica to give where it is (so a re-plan moves as few replicas as it
     * can); the devices freed go to the variants that gained, in id order.
     */
    static Placement onePerDevice(Map<String, Integer> counts, int devices, Placement previous) {
        String[] out = new String[devices];
        Map<String, Integer> left = new TreeMap<>(counts);
        if (previous != null) {
            for (int d = 0; d < Math.min(devices, previous.devices.size()); d++) {
                List<String> was = previous.devices.get(d);
                if (was.size() == 1 && left.getOrDefault(was.get(0), 0) > 0) {
                    out[d] = was.get(0);
                    left.merge(was.get(0), -1, Integer::sum);
                }
            }
        }
        int d = 0;
        for (var e : left.entrySet()) {
            for (int k = 0; k < e.getValue(); k++) {
                while (out[d] != null) {
                    d++;
                }
                out[d] = e.getKey();
            }
        }
        List<List<String>> list = new ArrayList<>(devices);
        for (String v : out) {
            list.add(v == null ? List.of() : List.of(v));
        }
        return new Placement(list);
    }

    /** Variants placed anywhere. */
    public Set<String> variants() {
        return replicas().keySet();
    }
}
