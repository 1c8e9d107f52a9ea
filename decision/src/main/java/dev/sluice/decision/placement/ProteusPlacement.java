package dev.sluice.decision.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Proteus-style allocation across devices (research/papers.md, section 7): each device hosts
 * exactly one variant, as in the artifact's MILP ({@code algorithms/ilp.py}: binary
 * x[device, variant], one variant per device); the demand of each accuracy floor is routed to
 * variants that meet it so that the demand-weighted accuracy is as high as the devices allow
 * while every device stays within {@code utilisation} of its profiled throughput; when even the
 * cheapest routing needs more devices than the budget, the devices are split in proportion to
 * what each variant needs (the artifact lowers its served fraction beta instead). It is
 * re-planned every {@code replanEveryMs} from the demand observed over the last window (the
 * artifact re-solves every 10 s on smoothed arrivals).
 *
 * <p>The solver is not a MILP: the routing is the LP relaxation solved greedily (start from the
 * cheapest variant meeting each floor, then move demand to a more accurate variant in order of
 * accuracy gained per device spent, while devices are left), and device counts are the routed
 * device needs rounded by largest remainders, every variant with routed demand getting at least
 * one device. A re-plan keeps every device whose variant keeps its count, so only the difference
 * moves.
 */
public record ProteusPlacement(long replanEveryMs, double utilisation) implements PlacementPolicy {
    public ProteusPlacement {
        if (replanEveryMs <= 0) {
            throw new IllegalArgumentException("proteus placement re-plans on a positive period, got " + replanEveryMs + " ms");
        }
        if (!(utilisation > 0 && utilisation <= 1)) {
            throw new IllegalArgumentException("proteus placement: utilisation must be in (0, 1], got " + utilisation);
        }
    }

    @Override
    public String name() {
        return "proteus";
    }

    @Override
    public Placement place(PlacementProblem p) {
        List<VariantCapacity> vs = p.fitting();
        int n = p.budget().devices();
        Map<String, Double> need = routedNeed(vs, p.demand(), n);
        Map<String, Integer> counts = apportion(need, n);
        if (counts.isEmpty()) { // no demand yet: nothing to plan for
            counts = EvenPlacement.evenCounts(p.fittingMostAccurateFirst(), n);
        }
        return Placement.onePerDevice(counts, n, p.previous());
    }

    /**
     * Devices each variant needs (fractional, at {@code utilisation}) once each floor's demand is
     * routed: everything on the cheapest variant meeting it, then upgraded while devices are left.
     */
    Map<String, Double> routedNeed(List<VariantCapacity> vs, Demand demand, int devices) {
        Map<String, VariantCapacity> byId = Placement.byId(vs);
        // routed.get(floor).get(variant): requests/s
        Map<Double, Map<String, Double>> routed = new TreeMap<>();
        double used = 0;
        for (var e : demand.perFloor().entrySet()) {
            VariantCapacity v = Demand.cheapestMeeting(vs, e.getKey());
            if (v != null && e.getValue() > 0) {
                routed.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).merge(v.id(), e.getValue(), Double::sum);
                used += cost(v) * e.getValue();
            }
        }
        double spare = devices - used;
        for (int round = 0; round < 10_000 && spare > 1e-9; round++) {
            double bestRatio = 0;
            double floorOf = 0;
            VariantCapacity from = null;
            VariantCapacity to = null;
            for (var f : routed.entrySet()) {
                for (var r : f.getValue().entrySet()) {
                    if (r.getValue() <= 1e-12) {
                        continue;
                    }
                    VariantCapacity x = byId.get(r.getKey());
                    for (VariantCapacity y : vs) {
                        if (y.accuracy() <= x.accuracy() || y.accuracy() < f.getKey()) {
                            continue;
                        }
                        double extra = Math.max(cost(y) - cost(x), 1e-12);
                        double ratio = (y.accuracy() - x.accuracy()) / extra;
                        if (ratio > bestRatio) {
                            bestRatio = ratio;
                            floorOf = f.getKey();
                            from = x;
                            to = y;
                        }
                    }
                }
            }
            if (from == null) {
                break;
            }
            Map<String, Double> r = routed.get(floorOf);
            double extra = Math.max(cost(to) - cost(from), 1e-12);
            double move = Math.min(r.get(from.id()), spare / extra);
            r.merge(from.id(), -move, Double::sum);
            r.merge(to.id(), move, Double::sum);
            spare -= move * extra;
        }
        Map<String, Double> need = new TreeMap<>();
        routed.values().forEach(r -> r.forEach((v, rate) -> {
            if (rate > 1e-9) {
                need.merge(v, rate * cost(byId.get(v)), Double::sum);
            }
        }));
        return need;
    }

    /** Device-seconds per request at the planned utilisation. */
    private double cost(VariantCapacity v) {
        return v.deviceSecondsPerRequest() / utilisation;
    }

    /**
     * {@code devices} in proportion to {@code need}, at least one to each variant that needs any
     * (the neediest first when there are fewer devices than such variants), rounded by largest
     * remainders (ties by id). Empty when nothing needs a device.
     */
    static Map<String, Integer> apportion(Map<String, Double> need, int devices) {
        List<Map.Entry<String, Double>> needy = new ArrayList<>(need.entrySet().stream().filter(e -> e.getValue() > 0).toList());
        needy.sort(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Integer> out = new LinkedHashMap<>();
        if (needy.isEmpty()) {
            return out;
        }
        if (needy.size() >= devices) {
            needy.subList(0, devices).forEach(e -> out.put(e.getKey(), 1));
            return new TreeMap<>(out);
        }
        double total = needy.stream().mapToDouble(Map.Entry::getValue).sum();
        int given = 0;
        Map<String, Double> remainder = new TreeMap<>();
        for (var e : needy) {
            double target = devices * e.getValue() / total;
            int k = Math.max(1, (int) Math.floor(target));
            out.put(e.getKey(), k);
            given += k;
            remainder.put(e.getKey(), target - k);
        }
        List<String> order = new ArrayList<>(remainder.keySet());
        order.sort(Comparator.comparingDouble((String v) -> -remainder.get(v)).thenComparing(v -> v));
        for (int i = 0; given < devices; i = (i + 1) % order.size()) {
            out.merge(order.get(i), 1, Integer::sum);
            given++;
        }
        for (int i = order.size() - 1; given > devices; i = (i - 1 + order.size()) % order.size()) {
            String v = order.get(i);
            if (out.get(v) > 1) {
                out.merge(v, -1, Integer::sum);
                given--;
            }
        }
        return new TreeMap<>(out);
    }
}
