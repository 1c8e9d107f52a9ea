package dev.sluice.common;

/**
 * How strongly the hops between selector, executors and aggregator guarantee delivery.
 * The aggregator answers each request once in either mode (it remembers what it answered);
 * the mode decides whether upstream hops are transactional, which costs latency.
 */
public enum DeliveryMode {
    /** Transactions on every hop; output visible at commit. */
    EXACTLY_ONCE("exactly_once_v2"),
    /** No transactions; a crash may redeliver, and the aggregator drops the duplicates. */
    AT_LEAST_ONCE("at_least_once");

    private final String streamsGuarantee;

    DeliveryMode(String streamsGuarantee) {
        this.streamsGuarantee = streamsGuarantee;
    }

    public String streamsGuarantee() {
        return streamsGuarantee;
    }

    public boolean transactional() {
        return this == EXACTLY_ONCE;
    }

    public static DeliveryMode parse(String s) {
        return switch (s.toLowerCase().replace('_', '-')) {
            case "exactly-once", "eos", "exactly-once-v2" -> EXACTLY_ONCE;
            case "at-least-once", "alo" -> AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException("delivery mode must be exactly-once or at-least-once, got " + s);
        };
    }
}
