package dev.sluice.common;

/**
 * How strongly the hops between selector, executors and aggregator guarantee delivery.
 *
 * <p>Exactly-once output of a transactional hop becomes visible only at its commit, so every
 * transactional hop adds latency. The aggregator can guarantee one final result per request
 * on its own: it remembers what it answered and which member outputs it counted, so
 * redeliveries from upstream hops are dropped. {@link #EXACTLY_ONCE_RESULTS} keeps only that
 * last hop transactional.
 */
public enum DeliveryMode {
    /** Transactions on every hop: no hop ever redelivers. */
    EXACTLY_ONCE("exactly_once_v2", "exactly_once_v2", true),
    /** Selector and executors at-least-once; the aggregator exactly-once, deduplicating what they redeliver. */
    EXACTLY_ONCE_RESULTS("at_least_once", "exactly_once_v2", false),
    /** No transactions anywhere; after a crash the aggregator may answer a request twice. */
    AT_LEAST_ONCE("at_least_once", "at_least_once", false);

    private final String upstreamGuarantee;
    private final String aggregatorGuarantee;
    private final boolean upstreamTransactional;

    DeliveryMode(String upstreamGuarantee, String aggregatorGuarantee, boolean upstreamTransactional) {
        this.upstreamGuarantee = upstreamGuarantee;
        this.aggregatorGuarantee = aggregatorGuarantee;
        this.upstreamTransactional = upstreamTransactional;
    }

    /** Kafka Streams processing.guarantee of the selector. */
    public String streamsGuarantee() {
        return upstreamGuarantee;
    }

    /** Kafka Streams processing.guarantee of the aggregator. */
    public String aggregatorGuarantee() {
        return aggregatorGuarantee;
    }

    /**
     * Kafka Streams processing.guarantee of the JSON bridge: the aggregator's, because the bridge
     * writes the JSON clients' results, their last hop (at-least-once would hand a JSON client a
     * result twice after a bridge crash or rebalance).
     */
    public String bridgeGuarantee() {
        return aggregatorGuarantee;
    }

    /** Whether executors consume-process-produce in Kafka transactions. */
    public boolean transactional() {
        return upstreamTransactional;
    }

    /** The name used on the command line and in summaries. */
    public String cliName() {
        return name().toLowerCase().replace('_', '-');
    }

    public static DeliveryMode parse(String s) {
        return switch (s.toLowerCase().replace('_', '-')) {
            case "exactly-once", "eos", "exactly-once-v2" -> EXACTLY_ONCE;
            case "exactly-once-results", "eos-results" -> EXACTLY_ONCE_RESULTS;
            case "at-least-once", "alo" -> AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException(
                    "delivery mode must be exactly-once, exactly-once-results or at-least-once, got " + s);
        };
    }
}
