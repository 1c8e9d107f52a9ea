package dev.sluice.decision.policy;

/**
 * The live load of one variant: tasks waiting for it, how fast its executors drain them, and
 * what one request costs them now ({@code msPerRequest}: the executors' smoothed batch latency
 * over their mean batch size, 0 when not yet reported). On a shared CPU the last is often well
 * above the profile's figure: the Kafka clients and the other executors take cycles too.
 */
public record VariantLoad(long queueDepth, double throughputPerSec, long observedAtMs, double msPerRequest) {
    public static final VariantLoad IDLE = new VariantLoad(0, 0, 0, 0);

    public VariantLoad(long queueDepth, double throughputPerSec, long observedAtMs) {
        this(queueDepth, throughputPerSec, observedAtMs, 0);
    }
}
