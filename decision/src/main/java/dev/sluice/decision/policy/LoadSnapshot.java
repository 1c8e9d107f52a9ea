package dev.sluice.decision.policy;

import java.util.Map;

/** Live load per variant at one instant; variants absent are taken as idle. */
public record LoadSnapshot(Map<String, VariantLoad> byVariant) {
    public static final LoadSnapshot IDLE = new LoadSnapshot(Map.of());

    public LoadSnapshot {
        byVariant = Map.copyOf(byVariant);
    }

    public VariantLoad of(String variant) {
        return byVariant.getOrDefault(variant, VariantLoad.IDLE);
    }
}
