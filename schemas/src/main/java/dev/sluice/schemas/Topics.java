package dev.sluice.schemas;

/** Names of every topic Sluice uses. All records about one request are keyed by its id. */
public final class Topics {
    public static final String REQUESTS = "sluice.requests";
    public static final String REQUESTS_JSON = "sluice.requests.json";
    public static final String PLANS = "sluice.plans";
    public static final String TASKS_PREFIX = "sluice.tasks.";
    public static final String PARTIALS = "sluice.partials";
    public static final String RESULTS = "sluice.results";
    public static final String RESULTS_JSON = "sluice.results.json";
    public static final String EXECUTOR_STATUS = "sluice.executor-status";
    public static final String CATALOG = "sluice.catalog";
    public static final String FEEDBACK = "sluice.feedback";
    public static final String DLQ = "sluice.dlq";
    /** Request ids the aggregator answered early; executors skip their still-queued members. */
    public static final String CANCELLATIONS = "sluice.cancellations";

    /** Dead-letter headers: why a record was rejected and where it came from. */
    public static final String DLQ_REASON_HEADER = "sluice.dlq.reason";
    public static final String DLQ_SOURCE_TOPIC_HEADER = "sluice.dlq.source.topic";
    public static final String DLQ_SOURCE_PARTITION_HEADER = "sluice.dlq.source.partition";
    public static final String DLQ_SOURCE_OFFSET_HEADER = "sluice.dlq.source.offset";
    /**
     * Header the JSON bridge puts on each request it forwards: where the client's JSON record was
     * written (topic-partition@offset), so that a bridge redelivery is told apart from a client
     * re-using a request id.
     */
    public static final String ORIGIN_HEADER = "sluice.origin";
    /** Size in bytes of the original value; present when the dead letter keeps only its first bytes. */
    public static final String DLQ_ORIGINAL_BYTES_HEADER = "sluice.dlq.original.bytes";

    private Topics() {}

    public static String tasks(String variant) {
        return TASKS_PREFIX + variant;
    }
}
