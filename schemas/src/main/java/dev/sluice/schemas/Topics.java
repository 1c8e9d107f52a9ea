package dev.sluice.schemas;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names of every topic, consumer group and transactional id one Sluice deployment uses. All
 * records about one request are keyed by its id.
 *
 * <p>A deployment may carry a topic prefix and a group prefix (as Seldon Core v2 does), so that
 * two deployments share one Kafka cluster without seeing each other's records: with prefix
 * {@code team-a.} the requests topic is {@code team-a.sluice.requests} and the selector's
 * application id {@code team-a.sluice-selector}. {@link #DEFAULT} has neither. Every component
 * takes its names from one instance (it rides in {@code KafkaSettings}), never from literals.
 */
public final class Topics {
    /** No prefixes: the names every single-deployment cluster uses. */
    public static final Topics DEFAULT = new Topics("", "");

    /** Kafka topic names: ASCII letters, digits, '.', '_' and '-', at most 249 characters. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");
    /** Room left for the longest name Sluice appends (task topics add a variant id; see {@link #tasks}). */
    private static final int MAX_PREFIX = 100;

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

    private final String topicPrefix;
    private final String groupPrefix;

    private Topics(String topicPrefix, String groupPrefix) {
        this.topicPrefix = topicPrefix;
        this.groupPrefix = groupPrefix;
    }

    /**
     * Names under {@code topicPrefix} (topics) and {@code groupPrefix} (consumer groups, Streams
     * application ids, transactional ids); either may be empty.
     *
     * @throws IllegalArgumentException naming the prefix when it holds a character Kafka refuses
     *     in a topic name or is longer than 100 characters
     */
    public static Topics prefixed(String topicPrefix, String groupPrefix) {
        return new Topics(check("topic prefix", topicPrefix), check("group prefix", groupPrefix));
    }

    private static String check(String what, String prefix) {
        Objects.requireNonNull(prefix, what);
        if (!LEGAL.matcher(prefix).matches()) {
            throw new IllegalArgumentException(what + " '" + prefix
                    + "' may hold only ASCII letters, digits, '.', '_' and '-' (Kafka's rule for topic names)");
        }
        if (prefix.length() > MAX_PREFIX) {
            throw new IllegalArgumentException(what + " '" + prefix + "' is longer than " + MAX_PREFIX + " characters");
        }
        return prefix;
    }

    public String topicPrefix() {
        return topicPrefix;
    }

    public String groupPrefix() {
        return groupPrefix;
    }

    /** Avro requests. */
    public String requests() {
        return topicPrefix + "sluice.requests";
    }

    /**
     * The request topic of one tenant, {@code sluice.requests.<tenant>}: only that tenant's Kafka
     * user may write it, and the selector takes the tenant of every request read from it from the
     * topic, whatever its {@code tenant} field says, so that a tenant cannot send requests (and
     * spend the quota, and fill the result topic) of another.
     */
    public String tenantRequests(String tenant) {
        return requests() + "." + checkTenant(tenant);
    }

    /** The tenant whose request topic {@code topic} is ({@link #tenantRequests}), or null for any other topic. */
    public String tenantOfRequests(String topic) {
        String head = requests() + ".";
        if (topic == null || !topic.startsWith(head) || topic.equals(requestsJson())) {
            return null;
        }
        String tenant = topic.substring(head.length());
        return TENANT_NAME.matcher(tenant).matches() ? tenant : null;
    }

    /** Every topic the selector reads requests from: sluice.requests and each tenant's {@link #tenantRequests}. */
    public Pattern requestTopics() {
        return Pattern.compile(Pattern.quote(requests()) + "(\\.(?!json$)[a-z0-9][a-z0-9_]{0,47})?");
    }

    /** JSON (Open Inference Protocol) requests, read by the bridge. */
    public String requestsJson() {
        return topicPrefix + "sluice.requests.json";
    }

    public String plans() {
        return topicPrefix + "sluice.plans";
    }

    /** Everything before the variant id in a task topic's name. */
    public String tasksPrefix() {
        return topicPrefix + "sluice.tasks.";
    }

    /** The task topic of one (base) variant. */
    public String tasks(String variant) {
        return tasksPrefix() + variant;
    }

    public String partials() {
        return topicPrefix + "sluice.partials";
    }

    public String results() {
        return topicPrefix + "sluice.results";
    }

    /**
     * The result topic of one tenant, {@code sluice.results.<tenant>} (under the topic prefix):
     * the aggregator writes each answer there too when it routes that tenant, so that the tenant
     * may read its own answers and no one else's (an ACL on this one topic).
     *
     * @throws IllegalArgumentException when {@code tenant} is not a valid tenant name ({@link #checkTenant})
     */
    public String tenantResults(String tenant) {
        return results() + "." + checkTenant(tenant);
    }

    public String resultsJson() {
        return topicPrefix + "sluice.results.json";
    }

    /** Compacted: each executor replica's latest status. */
    public String executorStatus() {
        return topicPrefix + "sluice.executor-status";
    }

    /** Compacted: the live catalog. */
    public String catalog() {
        return topicPrefix + "sluice.catalog";
    }

    public String feedback() {
        return topicPrefix + "sluice.feedback";
    }

    public String dlq() {
        return topicPrefix + "sluice.dlq";
    }

    /** Request ids the aggregator answered early; executors skip their still-queued members. */
    public String cancellations() {
        return topicPrefix + "sluice.cancellations";
    }

    /** A consumer group, Streams application id or transactional id: {@code base} under the group prefix. */
    public String group(String base) {
        return groupPrefix + base;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Topics t && t.topicPrefix.equals(topicPrefix) && t.groupPrefix.equals(groupPrefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topicPrefix, groupPrefix);
    }

    @Override
    public String toString() {
        return topicPrefix.isEmpty() && groupPrefix.isEmpty() ? "Topics(no prefix)"
                : "Topics(topics '" + topicPrefix + "', groups '" + groupPrefix + "')";
    }

    /** Tenant names: what a per-tenant topic, user and group may be named after. */
    public static final java.util.regex.Pattern TENANT_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_]{0,47}");

    /**
     * Returns {@code tenant} when it matches {@link #TENANT_NAME}: lower-case letters, digits and
     * underscores, no dots or dashes (so that no tenant's topic, user or group name is a prefix of
     * another's, and none is {@code sluice.results.json}).
     */
    public static String checkTenant(String tenant) {
        if (tenant == null || !TENANT_NAME.matcher(tenant).matches() || tenant.equals("json")) {
            throw new IllegalArgumentException("tenant name '" + tenant + "' must be 1-48 of a-z, 0-9 and _, starting with a "
                    + "letter or digit, and not 'json'");
        }
        return tenant;
    }
}
