package dev.sluice.common;

import dev.sluice.schemas.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Every topic Sluice needs, with explicit partition counts. Requests, plans, tasks, partials and
 * results share one partition count so that all records of one request (keyed by its id) land
 * on the same partition number everywhere; the aggregator relies on plans and partials being
 * co-partitioned. Each tenant has a request topic and a result topic of its own
 * ({@link Topics#tenantRequests}, {@link Topics#tenantResults}), partitioned as the request path.
 */
public record TopicLayout(int partitions, short replication, Collection<String> variants, Topics names,
        Collection<String> tenants) {
    public TopicLayout {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1");
        }
        variants = List.copyOf(variants);
        Objects.requireNonNull(names, "names");
        tenants = List.copyOf(tenants);
        tenants.forEach(Topics::checkTenant);
    }

    public TopicLayout(int partitions, short replication, Collection<String> variants, Topics names) {
        this(partitions, replication, variants, names, List.of());
    }

    /** The unprefixed topics ({@link Topics#DEFAULT}). */
    public TopicLayout(int partitions, short replication, Collection<String> variants) {
        this(partitions, replication, variants, Topics.DEFAULT);
    }

    /** The same layout with a result topic for each of {@code tenants}. */
    public TopicLayout withTenants(Collection<String> tenants) {
        return new TopicLayout(partitions, replication, variants, names, tenants);
    }

    public List<NewTopic> topics() {
        List<NewTopic> t = new ArrayList<>();
        for (String name : List.of(names.requests(), names.requestsJson(), names.plans(), names.partials(),
                names.results(), names.resultsJson(), names.feedback(), names.dlq())) {
            t.add(new NewTopic(name, partitions, replication));
        }
        for (String v : variants) {
            t.add(new NewTopic(names.tasks(v), partitions, replication));
        }
        for (String tenant : tenants) {
            t.add(new NewTopic(names.tenantRequests(tenant), partitions, replication));
            t.add(new NewTopic(names.tenantResults(tenant), partitions, replication));
        }
        // early answers, read by every executor from the end: minutes of them are plenty
        t.add(new NewTopic(names.cancellations(), partitions, replication).configs(Map.of("retention.ms", "600000")));
        Map<String, String> compacted = Map.of("cleanup.policy", "compact", "segment.ms", "60000");
        t.add(new NewTopic(names.executorStatus(), 1, replication).configs(compacted));
        t.add(new NewTopic(names.catalog(), 1, replication).configs(compacted));
        return t;
    }

    /**
     * Creates what is missing and waits until every partition of the topics has a leader, so
     * that the first records written are not refused (a producer that meets a partition without
     * a leader may lose its first batches to out-of-order sequence errors); existing topics are
     * left as they are.
     */
    public void create(Admin admin) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics().stream().filter(n -> !existing.contains(n.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            }
            awaitLeaders(admin, topics().stream().map(NewTopic::name).toList(), 60_000);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create Sluice topics: " + e.getCause(), e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create Sluice topics: " + e, e);
        }
    }

    private static void awaitLeaders(Admin admin, List<String> names, long timeoutMs) throws Exception {
        long until = System.currentTimeMillis() + timeoutMs;
        while (true) {
            boolean ready;
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
                ready = described.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                ready = false; // just created: the broker answering has not heard of it yet
            }
            if (ready) {
                return;
            }
            if (System.currentTimeMillis() > until) {
                throw new IllegalStateException("Sluice topics still have partitions without a leader after " + timeoutMs + " ms");
            }
            Thread.sleep(100);
        }
    }
}
