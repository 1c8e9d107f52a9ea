package dev.sluice.selector.policy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Selection policies by name, so a run can compare them on one trace. */
public final class Policies {
    public static final String DEFAULT = "infaas";

    private final Map<String, SelectionPolicy> byName = new TreeMap<>();

    public Policies(double overheadMs) {
        LatencyEstimator estimator = new LatencyEstimator(overheadMs);
        for (SelectionPolicy p : List.of(new InfaasPolicy(estimator), FixedPolicy.high(), FixedPolicy.low())) {
            byName.put(p.name(), p);
        }
    }

    public SelectionPolicy get(String name) {
        SelectionPolicy p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown policy '" + name + "'; known: " + byName.keySet());
        }
        return p;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public <T> Map<String, T> map(Function<SelectionPolicy, T> f) {
        Map<String, T> out = new TreeMap<>();
        byName.forEach((k, v) -> out.put(k, f.apply(v)));
        return out;
    }
}
