package dev.sluice.aggregator;

import java.nio.file.Path;
import java.time.Duration;
import dev.sluice.schemas.Topics;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of the aggregator, validated on construction.
 *
 * @param punctuateInterval how often (wall clock) due deadlines and orphans are checked
 * @param grace how long past a plan's deadline to wait for missing members before PARTIAL
 * @param answeredRetention how long an answered request id is remembered to drop late and
 *     redelivered records; must outlast any redelivery
 * @param orphanTimeout how long outputs whose plan never arrived are buffered before dropping
 * @param commitInterval Kafka Streams commit interval; under exactly-once results become
 *     visible only at commit, so it bounds the added latency
 * @param closeTimeout how long {@link AggregatorApp#close()} waits for Kafka Streams
 * @param applicationId Kafka Streams application id (consumer group, changelog prefix), under the
 *     deployment's group prefix ({@code Topics#group})
 * @param stateDir state directory, or null for a fresh temporary one
 * @param forwardCancellations whether early answers send their request id to
 *     the deployment's cancellations topic, where executors learn to skip the members
 *     still queued; on by default (the topic is created with the others; turn it off on a cluster
 *     without it: the broker does not auto-create topics)
 * @param tenantResults tenants whose results are also written to their own topic,
 *     {@code sluice.results.<tenant>} (which must exist), so that each may be allowed to read its
 *     own answers only; empty (the default): results go to sluice.results alone
 */
public record AggregatorConfig(
        Duration punctuateInterval,
        Duration grace,
        Duration answeredRetention,
        Duration orphanTimeout,
        Duration commitInterval,
        Duration closeTimeout,
        String applicationId,
        Path stateDir,
        boolean forwardCancellations,
        Set<String> tenantResults) {

    public static final String DEFAULT_APPLICATION_ID = "sluice-aggregator";

    public AggregatorConfig {
        positive("punctuateInterval", punctuateInterval);
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        positive("answeredRetention", answeredRetention);
        positive("orphanTimeout", orphanTimeout);
        positive("commitInterval", commitInterval);
        positive("closeTimeout", closeTimeout);
        Objects.requireNonNull(applicationId, "applicationId");
        if (applicationId.isBlank()) {
            throw new IllegalArgumentException("applicationId is empty");
        }
        tenantResults = Set.copyOf(new TreeSet<>(tenantResults));
        tenantResults.forEach(Topics::checkTenant);
    }

    public AggregatorConfig(Duration punctuateInterval, Duration grace, Duration answeredRetention, Duration orphanTimeout,
            Duration commitInterval, Duration closeTimeout, String applicationId, Path stateDir, boolean forwardCancellations) {
        this(punctuateInterval, grace, answeredRetention, orphanTimeout, commitInterval, closeTimeout, applicationId, stateDir,
                forwardCancellations, Set.of());
    }

    /** Also writes the results of these tenants' requests to their own topics ({@code sluice.results.<tenant>}). */
    public AggregatorConfig withTenantResults(Set<String> tenants) {
        return new AggregatorConfig(punctuateInterval, grace, answeredRetention, orphanTimeout, commitInterval, closeTimeout,
                applicationId, stateDir, forwardCancellations, tenants);
    }

    public static AggregatorConfig defaults() {
        return new AggregatorConfig(Duration.ofMillis(10), Duration.ZERO, Duration.ofMinutes(10),
                Duration.ofSeconds(60), Duration.ofMillis(20), Duration.ofSeconds(10), DEFAULT_APPLICATION_ID, null, true);
    }

    public AggregatorConfig withPunctuateInterval(Duration d) {
        return new AggregatorConfig(d, grace, answeredRetention, orphanTimeout, commitInterval, closeTimeout, applicationId, stateDir, forwardCancellations, tenantResults);
    }

    public AggregatorConfig withGrace(Duration d) {
        return new AggregatorConfig(punctuateInterval, d, answeredRetention, orphanTimeout, commitInterval, closeTimeout, applicationId, stateDir, forwardCancellations, tenantResults);
    }

    public AggregatorConfig withAnsweredRetention(Duration d) {
        return new AggregatorConfig(punctuateInterval, grace, d, orphanTimeout, commitInterval, closeTimeout, applicationId, stateDir, forwardCancellations, tenantResults);
    }

    public AggregatorConfig withOrphanTimeout(Duration d) {
        return new AggregatorConfig(punctuateInterval, grace, answeredRetention, d, commitInterval, closeTimeout, applicationId, stateDir, forwardCancellations, tenantResults);
    }

    public AggregatorConfig withCommitInterval(Duration d) {
        return new AggregatorConfig(punctuateInterval, grace, answeredRetention, orphanTimeout, d, closeTimeout, applicationId, stateDir, forwardCancellations, tenantResults);
    }

    public AggregatorConfig withCloseTimeout(Duration d) {
        return new AggregatorConfig(punctuateInterval, grace, answeredRetention, orphanTimeout, commitInterval, d, applicationId, stateDir, forwardCancellations, tenantResults);
    }

    public AggregatorConfig withApplicationId(String id) {
        return new AggregatorConfig(punctuateInterval, grace, answeredRetention, orphanTimeout, commitInterval, closeTimeout, id, stateDir, forwardCancellations, tenantResults);
    }

    public AggregatorConfig withStateDir(Path dir) {
        return new AggregatorConfig(punctuateInterval, grace, answeredRetention, orphanTimeout, commitInterval, closeTimeout, applicationId, dir, forwardCancellations, tenantResults);
    }

    public AggregatorConfig withCancellations(boolean forward) {
        return new AggregatorConfig(punctuateInterval, grace, answeredRetention, orphanTimeout, commitInterval, closeTimeout, applicationId, stateDir, forward, tenantResults);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
