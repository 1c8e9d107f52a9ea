package dev.sluice.selector.policy;

/** The live load of one variant: tasks waiting for it and how fast its executors drain them. */
public record VariantLoad(long queueDepth, double throughputPerSec, long observedAtMs) {
    public static final VariantLoad IDLE = new VariantLoad(0, 0, 0);
}
